"""_sre's Pattern, Match and Scanner objects: attributes, group access by number and name, defaults, errors
with CPython's messages, equality and hashing, repr, and long subjects and deep backtracking (the matcher keeps
its own stack)."""
from mod_sre import compile as comp
I, M, S, X, A, U = 2, 8, 16, 64, 256, 32
p = comp(r'(?P<a>x)(y)?')
m = p.match('xz')
print(m.group(0, 1, 2), m.group('a'), m['a'], m[1], m.start(2), m.end('a'), m.span(0), m.groups('d'), m.groupdict('d'), m.re is p, m.string, m.pos, m.endpos)
for bad in [5, 'zz', -1, None]:
    try: m.group(bad)
    except IndexError as e: print('IndexError', e)
print(p == comp(r'(?P<a>x)(y)?'), p != comp('x'), hash(p) == hash(comp(r'(?P<a>x)(y)?')))
print(repr(comp('x', I | M | S | X)), repr(comp(b'x', 4)), repr(comp('x' * 300))[:30], len(repr(comp('x' * 300))))
try: p.match(b'x')
except TypeError as e: print(e)
try: comp(b'x').match('x')
except TypeError as e: print(e)
try: p.match(1)
except TypeError as e: print(e)
try: p.match()
except TypeError as e: print(e)
try: p.match('x', foo=1)
except TypeError as e: print(e)
try: p.match('x', 1, 2, 3)
except TypeError as e: print(e)
print(p.match(string='x', pos=0, endpos=1))
print(repr(comp('a' * 100).match('a' * 100)))
sc = comp(r'\d').scanner('1a2b3')
print(sc.search().group(), sc.search().group(), sc.match(), sc.search())
# deep / long
print(len(comp(r'(?:a|b)*c').match('ab' * 50000 + 'c').group()))
print(len(comp(r'(a|b)*c').match('ab' * 50000 + 'c').group()))
print(comp(r'(x+x+)+y').match('x' * 18))
print(len(comp(r'.*?x').match('a' * 100000 + 'x').group()))
