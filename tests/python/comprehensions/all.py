print([x * x for x in range(6)])
print([x for x in range(20) if x % 2 if x % 3])
print([(x, y) for x in range(3) for y in range(x)])
print({x % 3 for x in range(10)})
print({k: v for k, v in zip("abc", range(3))})
print({x: x ** 2 for x in range(5) if x != 2})
m = [[1, 2, 3], [4, 5, 6]]
print([[row[i] for row in m] for i in range(3)])
print(sorted(set(w.lower() for w in "A b a B c".split())))
x = "outer"
print([x for x in range(3)], x)
print(list(map(lambda t: t[0] * t[1], [(1, 2), (3, 4)])), list(filter(None, [0, 1, "", "a"])))
