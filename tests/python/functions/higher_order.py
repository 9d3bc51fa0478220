from functools import reduce, partial
print(reduce(lambda a, b: a * b, range(1, 8)), reduce(lambda a, b: a + b, [], 0))
def power(base, exp):
    return base ** exp
square = partial(power, exp=2)
cube = partial(power, exp=3)
print(square(5), cube(2), [square(i) for i in range(4)])
def apply_n(f, n, x):
    for _ in range(n):
        x = f(x)
    return x
print(apply_n(lambda v: v * 2, 10, 1))
