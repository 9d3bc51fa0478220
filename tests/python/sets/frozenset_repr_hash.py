# frozenset repr, hash (independent of insertion order) and subclass reprs.
print(frozenset([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]))
print(frozenset(), set(), frozenset([frozenset([1])]))
print(hash(frozenset()), hash(frozenset({1, 2, 3})), hash(frozenset(range(100))))
print(hash(frozenset([3, 2, 1])) == hash(frozenset([1, 2, 3])))
print(hash(frozenset({(1, 2), 3.5})), hash(frozenset({-1, -2})))
f = frozenset([64, 1, 2])
print(f.copy() is f, frozenset(f) is f, f.copy(), set(f))
class S(set):
    pass
class F(frozenset):
    pass
print(S([3, 2, 1, 99]), S([3, 2, 1]) | {7}, type(S([1]) | {7}).__name__)
print(F([5, 6, 70]), F(), repr(S()))
print({frozenset({1, 2}): 'a', frozenset({2, 1}): 'b'})
