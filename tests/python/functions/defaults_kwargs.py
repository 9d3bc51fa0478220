def f(a, b=2, *args, c, d=4, **kw):
    return (a, b, args, c, d, sorted(kw.items()))
print(f(1, c=3))
print(f(1, 2, 3, 4, c=5, e=6, d=7))
def g(x, /, y, *, z):
    return x + y + z
print(g(1, 2, z=3), g(1, y=2, z=3))
def h(*args, **kwargs):
    return args, kwargs
print(h(*[1, 2], *(3,), **{"a": 1}, b=2))
def mut(x, acc=[]):
    acc.append(x)
    return acc
print(mut(1), mut(2))
args = (1, 2)
print(g(*args, z=10))
def kwonly(*, a=1, b):
    return a, b
print(kwonly(b=5), kwonly(a=0, b=1))
