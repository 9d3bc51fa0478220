def f(a, b, c):
    return a * 100 + b * 10 + c
print(f(*[1, 2, 3]), f(1, *(2, 3)), f(**{"a": 1, "b": 2, "c": 3}), f(1, **{"c": 3, "b": 2}))
def g(*args, **kwargs):
    return len(args), sorted(kwargs)
print(g(), g(1, 2, x=1), g(*range(5), **dict(a=1, b=2)))
def h(first, *rest, last="L"):
    return first, rest, last
print(h(1), h(1, 2, 3), h(1, 2, last="X"))
