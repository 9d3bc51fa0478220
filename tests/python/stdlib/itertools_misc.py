import itertools as it
print(list(it.islice(it.count(), 3, 10, 2)), list(it.accumulate(range(1, 6), lambda a, b: a * b)))
print(["".join(p) for p in it.product("01", repeat=3)])
print(list(it.tee([1, 2], 2)[1]), [list(g) for k, g in it.groupby([1, 1, 2, 3, 3, 3])])
print(sum(1 for _ in it.combinations(range(10), 3)), list(it.zip_longest([1, 2, 3], "ab")))
