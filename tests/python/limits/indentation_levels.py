# CPython's tokenizer allows 99 levels of indentation; the 100th is an IndentationError.
# (Loops are not nested here: CPython's compiler stops at 20 nested loops/try/with blocks.)


def nested(levels, opener='if x:', unit=' '):
    lines = [unit * i + opener for i in range(levels)]
    return '\n'.join(lines) + '\n' + unit * levels + 'pass\n'


for levels, opener, unit in [(99, 'if x:', ' '), (100, 'if x:', ' '), (150, 'def f():', ' '),
                             (99, 'if x:', '\t'), (100, 'class C:', '\t')]:
    try:
        compile(nested(levels, opener, unit), 'deep.py', 'exec')
        print(levels, repr(opener), 'ok')
    except SyntaxError as e:
        print(levels, repr(opener), type(e).__name__, e, e.lineno)
x = False
exec(nested(99))
print('99 levels ran')
