# The compiler's SyntaxWarnings (CPython's compiler_warn): "is" with a literal, a literal called or subscripted
# (a missed comma), an always-true assert; each goes through the warnings module (filename, line), and becomes a
# SyntaxError at the expression when warnings are errors.
import warnings

cases = [
    'x is 1', 'x is "thing"', '1 is x', 'x is y is 1', 'x is not 1', 'x is None', 'x is ...',
    '[(1, 2) (3, 4)]', '[[1, 2] (3, 4)]', '[{1: 2} (3, 4)]', '[f"x={x}" (3, 4)]', '[None (3, 4)]', '[... (3, 4)]',
    '[(i for i in range(5)) (3, 4)]',
    '[{1, 2} [i, j]]', '[123 [i, j]]', '[None [i, j]]', '[(lambda x, y: x) [i, j]]',
    '[(1, 2) [i, j]]', '[[1, 2] [i, j]]', '["abc" [i, j]]', '[(1, 2) [3.0]]', '[(1, 2) [0]]', '[(1, 2) [i:j]]',
    'assert (x, "msg")', 'assert x, "msg"', 'f(x) (1, 2)',
]
for src in cases:
    with warnings.catch_warnings(record=True) as warns:
        warnings.simplefilter('always', SyntaxWarning)
        compile(src, '<testcase>', 'exec')
    for w in warns:
        print(repr(src), w.category.__name__, w.message, w.filename, w.lineno)
    if not warns:
        print(repr(src), 'no warning')
    with warnings.catch_warnings():
        warnings.simplefilter('error', SyntaxWarning)
        try:
            compile('\n' + src, '<testcase>', 'exec')
        except SyntaxError as e:
            print('   ', type(e).__name__, e.msg, e.lineno, e.offset)
