a = set(range(10))
evens = {x for x in a if x % 2 == 0}
a -= {0, 1}
a &= set(range(8))
print(sorted(a), sorted(evens), sorted(a | evens), evens <= set(range(10)))
s = set()
s.update([1, 2], (3,))
s.intersection_update({1, 2, 5})
print(sorted(s), s.pop() in (1, 2), len(s))
fs = frozenset("abc")
print(sorted(fs | {"d"}), type(fs | {"d"}).__name__, sorted({frozenset({1}), frozenset({1})}.pop()))
