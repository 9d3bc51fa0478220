print(max([3, 1, 2]), min(3, 1, 2), max("hello"), min([(2, "b"), (1, "z")]), max([], default=None))
print(max([-3, 2, -5], key=abs), min(["bb", "a", "ccc"], key=len), sorted([3, 1, 2], key=lambda x: -x))
print(sorted("Banana", key=str.lower), sorted([(1, 2), (1, 1), (0, 5)]), sorted({"b": 1, "a": 2}.items(), key=lambda kv: kv[1]))
try:
    max([])
except ValueError as e:
    print("ValueError:", e)
try:
    sorted([1, "a"])
except TypeError as e:
    print("TypeError:", e)
