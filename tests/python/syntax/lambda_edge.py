f = lambda: None
g = lambda x, y=2, *a, k=1, **kw: (x, y, a, k, kw)
print(f(), g(1), g(1, 3, 4, k=5, z=6))
h = lambda x: (yield x) if False else x * 2
print(type(h(4)).__name__)
print((lambda: (lambda: "nested")())(), list(map(lambda *a: a, [1, 2], [3, 4])))
sort_key = lambda s: (len(s), s)
print(sorted(["bb", "a", "ccc", "ab"], key=sort_key))
