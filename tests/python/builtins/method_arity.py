# Built-in methods check their arguments as CPython's C methods do (METH_NOARGS, METH_O, fastcall
# bounds, no keywords) and say so with CPython's TypeError text; a method descriptor checks its self.
calls = [
    lambda: {}.keys(1), lambda: {}.get(), lambda: {}.get(1, 2, 3), lambda: {}.get(k=1),
    lambda: [].append(), lambda: [].append(1, 2), lambda: [].append(x=1), lambda: {}.keys(x=1),
    lambda: dict.keys(), lambda: dict.keys(1), lambda: dict.get(1, 2), lambda: [].insert(1),
    lambda: [].pop(1, 2), lambda: [].index(), lambda: ().index(), lambda: ().count(),
    lambda: {}.__contains__(), lambda: {}.__getitem__(), lambda: [].__getitem__(), lambda: set().add(),
    lambda: set().pop(1), lambda: {}.update(1, 2), lambda: {}.setdefault(), lambda: {}.pop(),
    lambda: {}.popitem(1), lambda: {}.clear(None), lambda: {}.copy(None), lambda: [].reverse(1),
    lambda: set().union(x=1), lambda: frozenset().issubset(), lambda: list.append([], 1, 2),
]
for f in calls:
    try:
        print("ok", f())
    except TypeError as e:
        print("TypeError:", e)
# the right calls still work
d = {1: 2}
print(d.get(1), d.get(3, 4), d.setdefault(5, 6), d.pop(5), d.pop(7, 8), dict.get(d, 1), sorted(d.items()))
l = [3, 1, 2]
l.insert(0, 9); l.append(4); print(l, l.index(1), l.index(2, 1, 5), l.pop(), l.pop(0), l.count(3))
print((1, 2, 1).index(1, 1), (1, 2, 1).count(1), set([1]).union([2], [3]), frozenset([1]).copy())
print(dict.keys, dict.keys.__objclass__, len.__self__, object.__new__.__self__ is object, dict.__new__.__self__)
