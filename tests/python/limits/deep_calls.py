# Recursion through Python calls, isinstance/issubclass over nested tuples, generators
# delegating with `yield from`, __getattr__ and sort keys: RecursionError, as in CPython.
import sys


def attempt(name, f):
    try:
        print(name, 'ok', f())
    except RecursionError as e:
        print(name, 'RecursionError:', e)


def down(n):
    return down(n + 1)


def gen(n):
    if n == 0:
        yield 'bottom'
    else:
        yield from gen(n - 1)


class Lost:
    def __getattr__(self, name):
        return getattr(self, name + 'x')


class Chain:
    def __init__(self, n):
        self.n = n

    def __eq__(self, other):
        return Chain(self.n + 1) == other


nested = int
for i in range(100000):
    nested = (nested,)
attempt('recursion', lambda: down(0))
attempt('isinstance', lambda: isinstance(1, nested))
attempt('issubclass', lambda: issubclass(bool, nested))
attempt('isinstance shallow', lambda: isinstance(1, (str, (bytes, (int,)))))
attempt('yield from 100', lambda: list(gen(100)))
attempt('yield from 100000', lambda: list(gen(100000)))
attempt('__getattr__', lambda: Lost().name)
attempt('__eq__ chain', lambda: Chain(0) == 1)
attempt('sort key', lambda: sorted([3, 1, 2], key=lambda x: down(0)))
attempt('map', lambda: list(map(lambda x: down(x), [1])))
sys.setrecursionlimit(200)
attempt('limit 200', lambda: down(0))
attempt('limit 200 list ==', lambda: [[[[[[1]]]]]] == [[[[[[1]]]]]])
sys.setrecursionlimit(1000)
print('after:', sys.getrecursionlimit(), down.__name__)
