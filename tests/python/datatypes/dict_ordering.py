d = {}
for k in ["z", "a", "m", "b"]:
    d[k] = len(d)
print(d, list(d.keys()))
del d["a"]
d["a"] = 99
print(d)
d.update({"z": -1, "new": 0})
print(list(d.items()))
print({**{"x": 1, "y": 2}, "x": 3}, dict(sorted(d.items())))
