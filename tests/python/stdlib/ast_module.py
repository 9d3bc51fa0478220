"""_ast and Lib's ast: the node classes (_fields, _attributes, __match_args__, constructor rules), ast.parse of every
kind of statement, expression and pattern dumped as CPython does, positions of statements, compile() of a tree back
to code (built by hand and parsed), ast.literal_eval, NodeVisitor/NodeTransformer, ast.unparse."""
import ast

print(ast.Name._fields, ast.Name._attributes, ast.Name.__match_args__, ast.expr._attributes)
print(ast.BinOp.__mro__)
print(ast.FunctionDef.returns, ast.Name.__doc__)
n = ast.Name('x', ast.Load())
print(n.id, type(n.ctx).__name__, n.__reduce__()[0].__name__)
for bad in [lambda: ast.Name(1, 2, 3), lambda: ast.Pass(1)]:
    try:
        bad()
    except TypeError as e:
        print('TypeError:', e)
print(isinstance(ast.parse('x'), ast.AST), ast.PyCF_ONLY_AST)

SOURCES = [
    "x = 1\ny: int = 2\nz += 3\ndel a, b[1], c.d\n",
    "import os, sys as s\nfrom . import a\nfrom ..pkg.mod import (b as c, d)\nglobal g\n",
    "def f(a, /, b: int = 1, *args, c, d=2, **kw) -> None:\n    '''doc'''\n    return a\n",
    "async def g():\n    async for i in x:\n        await i\n    async with a as (b, c):\n        pass\n",
    "@dec\nclass C(B, metaclass=M):\n    x: int\n    def m(self): yield 1; yield from y\n",
    "for i, j in enumerate(x):\n    break\nelse:\n    continue\nwhile x:\n    pass\nelse:\n    pass\n",
    "try:\n    pass\nexcept E as e:\n    raise X from e\nexcept:\n    raise\nelse:\n    pass\nfinally:\n    pass\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "with a, b as c:\n    assert x, 'msg'\n",
    "lambda x, *y, **z: x if y else z\n",
    "(a and b or not c) < d <= e == f != g > h >= i is j is not k in l not in m\n",
    "a + b - c * d / e // f % g ** h @ i << j >> k | l ^ m & n\n",
    "-x, +y, ~z, -1, -2.5, -3j, 4, 5.0, 6j, -0.0\n",
    "[1, 2], (3,), {4}, {5: 6, **d}, (), [*a, *b]\n",
    "[x for x in y if x], {x for x in y}, {k: v for k, v in z}, (i for i in range(3) for j in k)\n",
    "f(a, *b, c=1, **d)\n",
    "x[1], x[1:2], x[::3], x[1:2, 3], x[a, b], x.y.z\n",
    "f'{a!r:>{width}} and {b}' 'tail'\n",
    "b'bytes', 'str', None, True, False, ...\n",
    "(y := 10)\n",
    "match p:\n    case 1 | 2:\n        pass\n    case [a, *rest]:\n        pass\n    case {'k': v, **others}:\n        pass\n    case Point(x=0, y=yy) as pt if yy:\n        pass\n    case None:\n        pass\n    case _:\n        pass\n",
    "nonlocal_test = 1\ndef outer():\n    v = 1\n    def inner():\n        nonlocal v\n        v = 2\n",
]
for src in SOURCES:
    print(ast.dump(ast.parse(src)))

tree = ast.parse("x = 1\nif x:\n    y = x + 2\n")
print([(type(s).__name__, s.lineno, s.col_offset) for s in ast.walk(tree) if isinstance(s, ast.stmt)])
print(ast.dump(ast.parse('1 + 2', mode='eval')))

# compile a tree back to code
ns = {}
exec(compile(tree, '<ast>', 'exec'), ns)
print(ns['x'], ns['y'])
print(eval(compile(ast.parse('[i * i for i in range(5)]', mode='eval'), '<ast>', 'eval')))
handmade = ast.Module(body=[ast.Expr(ast.Call(ast.Name('print', ast.Load()), [ast.Constant('made by hand')], []))], type_ignores=[])
exec(compile(ast.fix_missing_locations(handmade), '<hand>', 'exec'))
try:
    compile(ast.Module(body=[ast.Expr()], type_ignores=[]), '<bad>', 'exec')
except TypeError as e:
    print('TypeError:', e)
try:
    compile(ast.Expression(body=ast.Pass()), '<bad>', 'eval')
except TypeError as e:
    print('TypeError:', e)


class Doubler(ast.NodeTransformer):
    def visit_Constant(self, node):
        return ast.Constant(node.value * 2) if isinstance(node.value, int) else node


t = ast.fix_missing_locations(Doubler().visit(ast.parse('result = 3 + 4', mode='exec')))
ns = {}
exec(compile(t, '<t>', 'exec'), ns)
print(ns['result'])


class Names(ast.NodeVisitor):
    def __init__(self):
        self.names = []

    def visit_Name(self, node):
        self.names.append(node.id)


v = Names()
v.visit(ast.parse('a = b + c(d)'))
print(v.names)
print(ast.literal_eval("{'a': [1, 2.5, (3, -4)], 'b': {None, True}}"))
print(ast.unparse(ast.parse("def f(a, b=1, *c, **d):\n    return a + b if c else [x for x in d]")))
print(ast.get_docstring(ast.parse('"""The doc."""\nx = 1')))
