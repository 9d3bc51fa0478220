# Sets mixing bools, ints, floats, tuples and frozensets.
print({True, 1, 1.0, 0, False, 2})
print({False, True, 2, 3.5, (1, True), -7})
print(set([3, 3.0, (3,), frozenset([3]), 4.5, -4]))
print({frozenset({1, 2}), frozenset({3}), frozenset()})
print(set([True, False, 2, 3]) | {1.0, 0.0})
print(sorted({5, 1.5, -2, True}))
