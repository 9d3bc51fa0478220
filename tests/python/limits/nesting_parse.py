# Source nested too deeply is refused the way CPython 3.11 refuses it: the tokenizer's
# "too many nested parentheses" (more than 200 open brackets), the parser's MemoryError
# (more than ~6000 nested rules), the compiler's RecursionError; nothing crashes.


def outcome(src, mode='exec'):
    try:
        compile(src, '<nested>', mode)
        return 'ok'
    except SyntaxError as e:
        return '%s: %s | line %s offset %s' % (type(e).__name__, e, e.lineno, e.offset)
    except (RecursionError, MemoryError) as e:
        return '%s: %s' % (type(e).__name__, e)


cases = [
    ('parentheses 200', '(' * 200 + '1' + ')' * 200),
    ('parentheses 201', '(' * 201 + '1' + ')' * 201),
    ('parentheses 10**6', '(' * 1000000 + '1' + ')' * 1000000),
    ('brackets 201', '[' * 201),
    ('braces 300', '{' * 300),
    ('mixed 250', '([{' * 84),
    ('in a list 201', 'x = [1, ' + '(' * 201 + '1' + ')' * 201 + ']'),
    ('second line', 'x = 1\ny = ' + '[' * 300),
    ('unary minus 1000', '-' * 1000 + '1'),
    ('unary minus 100000', '-' * 100000 + '1'),
    ('invert 100000', '~' * 100000 + 'x'),
    ('not 1000', 'not ' * 1000 + 'x'),
    ('not 100000', 'not ' * 100000 + 'x'),
    ('lambda 500', 'lambda: ' * 500 + '1'),
    ('lambda 100000', 'lambda: ' * 100000 + '1'),
    ('power 100000', '2' + '**2' * 100000),
    ('conditional 100000', '1 if x else ' * 100000 + '1'),
    ('attributes 500', 'a' + '.b' * 500),
    ('attributes 100000', 'a' + '.b' * 100000),
    ('additions 100000', '1' + '+x' * 100000),
    ('calls 100000', 'f' + '()' * 100000),
    ('subscripts 100000', 'x' + '[0]' * 100000),
    ('and 100000', 'a' + ' and a' * 100000),
    ('comparisons 100000', 'a' + ' < a' * 100000),
    ('tuple 100000', '1' + ',1' * 100000),
    ('list 100000', '[' + '1,' * 100000 + ']'),
]
for name, src in cases:
    print(name, '->', outcome(src))
print('eval:', outcome('(' * 300 + ')' * 300, 'eval'))
print('eval:', outcome('-' * 100000 + '1', 'eval'))
print('still working:', eval('(' * 50 + '6 * 7' + ')' * 50))
