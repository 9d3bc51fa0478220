# _string: the format-string parser behind string.Formatter (lazy iterators, CPython's ValueError texts)
import _string
for s in ['a{0}b', '{x!r:>{w}}', '{{}}', 'abc', '', '{}', '{0.a[1]}x', '{:}', '{!s}', 'a{{b', '{a}}}']:
    print(repr(s), list(_string.formatter_parser(s)))
for s in ['0.a[1]', 'abc', '', 'a.b.c', '1[x][2]']:
    first, rest = _string.formatter_field_name_split(s)
    print(repr(s), repr(first), list(rest))
for s in ['}', '{', 'a{0', '{0!rr}', '{0[}']:
    try:
        print(list(_string.formatter_parser(s)))
    except ValueError as e:
        print(repr(s), 'ValueError', e)
it = _string.formatter_parser('ok{0}then}')
print(next(it))
try:
    next(it)
except ValueError as e:
    print('lazy:', e)
print(type(_string.formatter_parser('')).__name__)
