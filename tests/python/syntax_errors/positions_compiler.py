# SyntaxError positions (lineno, offset, end_lineno, end_offset) and messages of errors found after parsing
# (targets, __future__, symbol table) and by the tokenizer, as CPython 3.11 reports them.
cases = [
    '[file for str(file) in []\n]',
    '[file for\n str(file) in []]',
    'for 1 in []: pass',
    'with a as 1: pass',
    'del f()',
    'f() = 1',
    'a + 1 = 2',
    'a = « hello » « world »',
    "ages = {'Alice'=22, 'Bob'=23}",
    '{a=1}',
    'match ...:\n    case {**rest, "key": value}:\n        ...',
    'def f():\n  from _ import *',
    'def f(x, x):\n  pass',
    'from __future__ import doesnt_exist',
    'from __future__ import braces',
    'x=1\nfrom __future__ import division',
    '"doc"\nfrom __future__ import annotations\nx = 1',
    'foo(1=2)',
    'def f():\n  x, y: int',
    '[a, b]: int',
    'def f(*):\n  pass',
    'def spam():\n  print(1)\n print(2)',
    'if x:\n        a\n    b\n',
    'try:\n\t1/0\n    \t1/0\nfinally:\n pass\n',
    'if True:\n        print()\n\texec "mixed tabs and spaces"',
    b'# -*- coding: cp1251 -*-\nPython = "\xcf\xb3\xf2\xee\xed" +',
    b'# -*- coding: iso8859-7 -*-\n\xe1 = 0xI',
]
for src in cases:
    try:
        compile(src, '<fragment>', 'exec')
        print(repr(src), "compiles")
    except SyntaxError as e:
        print(repr(src))
        # (CPython has no end offset for the two __future__ feature errors)
        end_offset = '-' if e.msg.startswith('future feature') or e.msg == 'not a chance' else e.end_offset
        print("   ", type(e).__name__, e.msg, e.lineno, e.offset, e.end_lineno, end_offset)

for src in ['def f():\n  global x\n  nonlocal x', 'def f():\n  nonlocal x\n  global x', 'def g():\n def f():\n  nonlocal x']:
    try:
        compile(src, '<fragment>', 'exec')
    except SyntaxError as e:
        print(repr(src))
        print("   ", e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset)

for src in ['{i for i in range(5) if (j := 0) for j in range(5)}', '[i for i in range(5) if (i := 0)]',
            '[(j := 0) for i in range(5) for j in range(5)]', '[[(i := 1) for j in range(3)] for i in range(3)]',
            '[(k := 0) for i in range(5) for j in range(5)]']:
    try:
        compile(src, '<fragment>', 'exec')
        print(repr(src), "compiles")
    except SyntaxError as e:
        print(repr(src))
        print("   ", e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset)

# errors inside an f-string's replacement fields: where they stand in the source
for src in ["f'''\n    {\n    (123_a)\n    }'''", 'f"{a b}"', 'x = f"{1 +}"',
            'f"""\n\n\n    {\n    6\n    0="""', "f'''\n {\n f\"\"\"\n {\n (123_a)\n }\n \"\"\"\n }'''"]:
    try:
        compile(src, '<fragment>', 'exec')
        print(repr(src), "compiles")
    except SyntaxError as e:
        print(repr(src))
        print("   ", e.msg, e.lineno, e.offset)
