a, b, c = 1, 2, 3
print(a, b, c)
a, b = b, a
print(a, b)
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = "hello"
print(init, last)
a, *mid, z = range(6)
print(a, mid, z)
(p, q), r = (1, 2), 3
print(p, q, r)
for i, (x, y) in enumerate([(1, 2), (3, 4)]):
    print(i, x, y)
print(*[1, 2, 3], sep="-")
print([*range(3), *"ab"], (*[1], 2), {**{"a": 1}, "b": 2}, {*[1, 2], 3})
try:
    a, b = [1, 2, 3]
except ValueError as e:
    print(e)
try:
    a, b, c = [1, 2]
except ValueError as e:
    print(e)
