values = [1, 1.5, "s", b"b", [1], (1,), {1}, {"a": 1}, None, True, 1j, range(1), len]
for v in values:
    print(type(v).__name__, isinstance(v, (int, float)), isinstance(v, (list, tuple)), callable(v))
print(isinstance(True, int), issubclass(bool, object), isinstance(int, type), isinstance(type, object))
print(isinstance(3, int | str), isinstance("x", int | None))
