from itertools import groupby, accumulate, chain, zip_longest, takewhile, dropwhile, starmap, compress, filterfalse, pairwise
data = "aaabbcaaa"
print([(k, len(list(g))) for k, g in groupby(data)])
print([(k, list(g)) for k, g in groupby(sorted([1, 12, 3, 15, 21]), key=lambda x: x // 10)])
print(list(accumulate([1, 2, 3, 4])), list(accumulate([1, 2, 3], lambda a, b: a * b)), list(accumulate([1, 2], initial=10)))
print(list(chain([1], (2, 3), "ab")), list(chain.from_iterable([[1], [2, 3]])))
print(list(zip_longest("abc", [1], fillvalue="-")), list(takewhile(lambda x: x < 3, [1, 2, 5, 1])), list(dropwhile(lambda x: x < 3, [1, 2, 5, 1])))
print(list(starmap(pow, [(2, 3), (3, 2)])), list(compress("abcd", [1, 0, 1, 0])), list(filterfalse(lambda x: x % 2, range(6))), list(pairwise("abcd")))
