# PEP 657: every instruction carries its source range (co_positions), and traceback.py prints carets under the
# expression that failed, with ~ for the operands of a binary operation or subscript (UTF-8 byte columns).
import traceback


def show(fn):
    try:
        fn()
    except Exception:
        for line in traceback.format_exc().splitlines():
            if not line.startswith('  File'):
                print(line)


def binop():
    divisor = 0
    return 10 + divisor / 0 + 30


def subscript():
    d = {'x': {'y': None}}
    return d['x']['y']['z']


def unicode_names():
    áóí = 0
    return 10 + áóí // 0


def attribute():
    if True: None.foo


def method_multiline():
    (None
        .method
    )()


def dec(f):
    raise TypeError("in decorator")


def decorated():
    @dec
    def g(): pass


def two(a, b):
    pass


def call_args():
    return two(1)


for fn in (binop, subscript, unicode_names, attribute, method_multiline, decorated, call_args):
    show(fn)


def f(x):
    return x.a + x[0]


positions = list(f.__code__.co_positions())
# the instructions of the return line are on line 2 of f, each within one line
first = f.__code__.co_firstlineno
print(sorted({(p[0] - first, p[1] - first) for p in positions if p[0] is not None and p[0] > first}))
print(max(p[3] for p in positions if p[3] is not None))

import ast
tree = ast.parse("x = a.b + c[1]\n")
value = tree.body[0].value
print(value.col_offset, value.end_col_offset, value.left.end_col_offset, value.right.col_offset)
print(tree.body[0].end_lineno, tree.body[0].end_col_offset)
