# Tuple hashes are CPython 3.11's xxHash-based combination of the element hashes.
print({(1, 2), (3, 4), (5, 6), (1, (2, 3))})
print(set([(i, j) for i in range(4) for j in range(3)]))
print(set((i, -i, i * 1.5) for i in range(10)))
print({(), (0,), (0, 0), ((),), (1,), (-1,), (-2,)})
print(hash((1, 2)), hash(()), hash((-1,)), hash(((1, 2), 3.5)))
grid = {(r, c) for r in range(5) for c in range(5) if (r + c) % 2 == 0}
print(grid)
grid.discard((2, 2)); grid.add((9, 9))
print(grid)
