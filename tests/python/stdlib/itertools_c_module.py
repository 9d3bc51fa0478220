# itertools is CPython's C module (Modules/itertoolsmodule.c): types, reprs, argument errors, laziness
import itertools as it

def t(label, f):
    try:
        r = f()
        print(label, "->", r)
    except Exception as e:
        print(label, "!!", type(e).__name__, e)

print(sorted(x for x in dir(it) if not x.startswith('__')))
for name in ["count", "cycle", "repeat", "chain", "islice", "tee", "_tee", "_grouper", "groupby", "product"]:
    print(name, type(getattr(it, name)).__name__, getattr(it, name))
print(it.chain.__module__, it.chain.__name__, type(it.chain()).__name__)

# count
c = it.count()
print(c, next(c), next(c), c)
print(it.count(5, 2), it.count(1.5, 0.5), it.count(1, 1.0), it.count(2**70), it.count(-3, -1))
c = it.count(2**63 - 2)
print([next(c) for _ in range(4)], c)
c = it.count(0.5, 0.25)
print([next(c) for _ in range(3)])
t("count('a')", lambda: it.count('a'))
t("count(1, 'a')", lambda: it.count(1, 'a'))
t("count(x=1)", lambda: it.count(x=1))
print(list(zip(it.count(start=3, step=-2), "abc")))

# cycle / repeat
print(list(it.islice(it.cycle("abc"), 7)), list(it.cycle([])))
t("cycle()", lambda: it.cycle())
r = it.repeat("x", 3)
print(r, r.__length_hint__(), list(r), r, r.__length_hint__())
print(it.repeat(None), it.repeat(1, -3), list(it.repeat(1, -3)), it.repeat(object=2, times=2))
t("repeat()", lambda: it.repeat())
t("repeat(1,'a')", lambda: it.repeat(1, 'a'))
t("repeat hint", lambda: it.repeat(1).__length_hint__())

# accumulate
print(list(it.accumulate([1, 2, 3, 4])), list(it.accumulate([1, 2, 3], initial=10)), list(it.accumulate([], initial=7)))
print(list(it.accumulate([3, 1, 4, 1, 5], max)), list(it.accumulate("abc")), list(it.accumulate([2, 3], lambda a, b: a * b)))
t("accumulate 3 pos", lambda: it.accumulate([1], 1, 2))
t("accumulate()", lambda: it.accumulate())

# chain
print(list(it.chain("ab", [1, 2], (), range(2))), list(it.chain.from_iterable(["ab", "cd"])))
t("next(chain(1))", lambda: next(it.chain(1)))
t("chain(x=1)", lambda: it.chain(x=1))
t("from_iterable(1)", lambda: it.chain.from_iterable(1))

# compress / dropwhile / takewhile / filterfalse / starmap
print(list(it.compress("ABCDEF", [1, 0, 1, 0, 1, 1])), list(it.compress("ABC", [1])))
print(list(it.dropwhile(lambda x: x < 5, [1, 4, 6, 4, 1])), list(it.takewhile(lambda x: x < 5, [1, 4, 6, 4, 1])))
print(list(it.filterfalse(lambda x: x % 2, range(10))), list(it.filterfalse(None, [0, 1, "", "a", None])))
print(list(it.starmap(pow, [(2, 5), (3, 2), (10, 3)])), list(it.starmap(lambda *a: a, ["ab", [1]])))
t("compress([1])", lambda: it.compress([1]))
t("dropwhile(len)", lambda: it.dropwhile(len))
t("filterfalse(None)", lambda: it.filterfalse(None))
t("starmap(len)", lambda: it.starmap(len))
t("next(starmap(len,[1]))", lambda: next(it.starmap(len, [1])))
tw = it.takewhile(lambda x: x < 3, iter([1, 2, 3, 1, 2]))
print(list(tw), list(tw))

# groupby
print([(k, list(g)) for k, g in it.groupby("AAAABBBCCDAABBB")])
print([k for k, g in it.groupby("AAAABBBCCD")])
print([(k, list(g)) for k, g in it.groupby([1, 3, 2, 4, 5, 7], key=lambda x: x % 2)])
groups = list(it.groupby("aabbc"))
print([(k, list(g)) for k, g in groups])   # earlier groupers are exhausted once the parent moves on
g = it.groupby("aaab")
k, grp = next(g)
print(k, next(grp), [k2 for k2, g2 in g], list(grp))
print(type(grp).__name__)
t("groupby()", lambda: it.groupby())

# islice
print(list(it.islice("ABCDEFG", 2)), list(it.islice("ABCDEFG", 2, 4)), list(it.islice("ABCDEFG", 2, None)),
      list(it.islice("ABCDEFG", 0, None, 2)), list(it.islice(range(10), 1, 8, 3)), list(it.islice("AB", None)))
src = iter(range(10))
print(list(it.islice(src, 3)), next(src))
for args in [([1],), ([1], 1, 2, 3, 4), ([1], -1), ([1], 'a'), ([1], 1, -1), ([1], 1, 2, 0), ([1], 1, 2, -1),
             ([1], -2, 3), ([1], 'x', 3), ([1], 2**70)]:
    t("islice%r" % (args,), lambda: list(it.islice(*args)))
t("islice kw", lambda: it.islice([1], stop=1))

# tee
a, b = it.tee(iter(range(5)))
print(next(a), next(a), list(b), list(a))
print(it.tee([1], 0), len(it.tee("abc", 4)), [list(x) for x in it.tee("abc", 3)])
a, b = it.tee(range(200))
print(sum(a), sum(b))
a, = it.tee("xyz", 1)
c = a.__copy__()
print(type(a).__name__, list(a), list(c))
a, b = it.tee("pq")
a2, b2 = it.tee(a)
print(list(a2), list(b2), list(b))
t("tee n<0", lambda: it.tee([1], -1))
t("tee n str", lambda: it.tee([1], 'a'))

# zip_longest / pairwise
print(list(it.zip_longest("ABCD", "xy", fillvalue="-")), list(it.zip_longest("ab", [1, 2, 3])), list(it.zip_longest()))
t("zip_longest kw", lambda: it.zip_longest([1], x=1))
t("zip_longest(1)", lambda: it.zip_longest(1))
print(list(it.pairwise("ABCDE")), list(it.pairwise("A")), list(it.pairwise([])))
t("pairwise()", lambda: it.pairwise())

# combinatorics
print(list(it.product("AB", "xy")), list(it.product(range(2), repeat=3))[:4], list(it.product()), list(it.product("ab", repeat=0)))
print(list(it.product("ab", [])), len(list(it.product(range(3), range(4), range(5)))))
print(list(it.permutations("ABC", 2)), list(it.permutations(range(3))), list(it.permutations("AB", 3)), list(it.permutations([], 0)))
print(list(it.combinations("ABCD", 2)), list(it.combinations(range(4), 3)), list(it.combinations("AB", 3)), list(it.combinations("AB", 0)))
print(list(it.combinations_with_replacement("ABC", 2)), list(it.combinations_with_replacement([], 2)), list(it.combinations_with_replacement([], 0)))
print(len(list(it.permutations(range(6), 4))), len(list(it.combinations(range(10), 5))))
t("product kw", lambda: it.product([1], x=1))
t("product repeat<0", lambda: it.product([1], repeat=-1))
t("permutations r<0", lambda: it.permutations([1], -1))
t("combinations r<0", lambda: it.combinations([1], -1))
t("combinations()", lambda: it.combinations([1]))
t("cwr r<0", lambda: it.combinations_with_replacement([1], -1))
print(list(it.combinations(range(3), r=2)), list(it.permutations(range(2), r=None)))

# subclassing a C-level iterator type
class Counter(it.count):
    pass
c = Counter(10)
c.tag = "t"
print(next(c), next(c), c.tag, isinstance(c, it.count), type(c).__name__)
class Chain(it.chain):
    def __next__(self):
        return super().__next__() * 2
print(list(Chain([1, 2], [3])))
