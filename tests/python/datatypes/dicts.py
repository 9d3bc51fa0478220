d = {"b": 2, "a": 1}
d["c"] = 3
print(d, len(d), d["a"], d.get("z"), d.get("z", 0), "a" in d, list(d), list(d.values()))
print(list(d.items()), d.pop("b"), d, d.setdefault("x", 10), d)
d.update({"a": 100}, y=5)
print(d, sorted(d), dict(zip("ab", [1, 2])), dict(a=1, b=2))
del d["x"]
print(d.popitem(), d, {1: "a", 1.0: "b"}, dict.fromkeys("ab", 0))
for k, v in sorted({"z": 1, "y": 2}.items()):
    print(k, v)
try:
    d["missing"]
except KeyError as e:
    print("KeyError", e)
e = {}
e[(1, 2)] = "tuple key"
e[None] = "none"
print(e, {**d, **e} == {**e, **d}, d | {"new": 1})
print({i: i * i for i in range(4)}.keys(), d.copy() == d, {} == {}, {"a": 1} != {"a": 2})
