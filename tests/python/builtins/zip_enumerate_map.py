names = ["a", "b", "c"]
ages = [1, 2]
print(list(zip(names, ages)), dict(zip(names, range(3))), list(zip(*[(1, 2), (3, 4)])))
for i, (n, a) in enumerate(zip(names, ages)):
    print(i, n, a)
print(list(map(pow, [2, 3], [3, 2])), list(map(str.upper, "ab")), list(enumerate([])), list(zip()))
try:
    list(zip([1, 2], [1], strict=True))
except ValueError as e:
    print("ValueError:", e)
