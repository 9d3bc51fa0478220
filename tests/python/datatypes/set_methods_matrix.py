ops = ['union', 'intersection', 'difference', 'symmetric_difference', 'issubset', 'issuperset', 'isdisjoint']
A = {1, 2, 3, 4}
for other in [set(), {1}, {3, 4, 5}, {1, 2, 3, 4}, {9}]:
    print(sorted(other), [(op, sorted(r) if isinstance(r, set) else r) for op in ops for r in [getattr(A, op)(other)]])
