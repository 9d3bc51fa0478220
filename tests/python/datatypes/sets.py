s = {3, 1, 2}
s.add(4)
s.discard(10)
print(sorted(s), len(s), 2 in s, 5 in s)
a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
print(a.issubset({1, 2, 3, 4, 5}), a.issuperset({1}), a.isdisjoint({9}), {1, 2} < {1, 2, 3}, {1} == {1})
f = frozenset([1, 2, 2, 3])
print(sorted(f), len(f), f == {1, 2, 3}, hash(f) == hash(frozenset({3, 2, 1})))
s.remove(1)
print(sorted(s), sorted(s.union([10, 11])), sorted(s.intersection({2, 3})), set(), sorted(set("hello")))
try:
    s.remove(99)
except KeyError as e:
    print("KeyError", e)
print({1, 2, 3}, {(1, 2), (1, 2)}, set([5, 5, 5]))
