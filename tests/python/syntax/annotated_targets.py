# Annotated assignment targets: a parenthesized name is not "simple" (no __annotations__ entry, and in a
# function it does not become local without a value); only names, attributes and subscripts can be
# annotated; an annotated name cannot be declared global or nonlocal (either order).
def reads_global():
    (no_such_global): int
    try:
        print(no_such_global)
    except NameError as e:
        print(type(e).__name__, e)

reads_global()

ns = {}
exec('(x): int\ny: str\n(z): float = 1.5\n', ns)
print(ns['__annotations__'], ns.get('x', 'unset'), ns['z'])

for src in ['f(): int', '(x,): int', '[x, 0]: int', 'x + 1: int',
            'def f():\n    x: int\n    global x\n',
            'def f():\n    global x\n    x: int\n',
            'def g():\n    x = 1\n    def f():\n        nonlocal x\n        x: int\n',
            'def g():\n    x = 1\n    def f():\n        x: int\n        nonlocal x\n',
            'def f():\n    print(x)\n    x: int\n    global x\n',
            'global x\nx: int\n',
            'def f():\n    x = 1\n    print(x)\n    global x\n',
            'def f():\n    x = 1\n    global x\n',
            'def g():\n    x = 1\n    def f():\n        x = 2\n        nonlocal x\n']:
    try:
        compile(src, '<case>', 'exec')
        print(repr(src), 'compiles')
    except SyntaxError as e:
        print(repr(src), 'SyntaxError:', e.msg, e.lineno)
