base = {'a': 1, 'b': 2, 'c': 3}
ops = [lambda d: d.get('a'), lambda d: d.get('z', 0), lambda d: d.pop('b'), lambda d: d.pop('z', None), lambda d: d.setdefault('d', 4),
       lambda d: d.setdefault('a', 9), lambda d: d.update(a=10, e=5), lambda d: d.popitem(), lambda d: d.clear(), lambda d: list(d.keys()),
       lambda d: list(d.values()), lambda d: list(d.items()), lambda d: d.copy(), lambda d: len(d), lambda d: 'a' in d, lambda d: d | {'x': 0}]
for i, op in enumerate(ops):
    d = dict(base)
    r = op(d)
    print(i, r, d)
