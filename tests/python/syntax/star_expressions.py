first, *_, last = range(10)
print(first, last)
*a, = [1, 2]
print(a)
t = 1, 2, *[3, 4]
print(t)
print([*"ab", *range(2)], {**{"x": 1}}, {*"aa"})
def f(*args):
    return args
print(f(*[], *()), f(*"xy", 1))
head, *tail = "h"
print(head, tail)
