"""Regular expression kernels for scripts/bench/regex: `python regex_kernels.py KERNEL` prints the kernel's
result on stdout and the seconds it took on stderr ("TIME s"). Patterns are compiled before the clock starts.
Under CPython the patterns come from its re module; under our interpreter from CPython's own Lib/re compiler
(/usr/lib/python3.11/re, loaded as package sre_lib) over our _sre, so the timing compares the two engines."""
import sys
import time

if sys.implementation.name == 'cpython':
    import re
    comp = re.compile
else:
    import types
    if 'sre_lib' not in sys.modules:
        _pkg = types.ModuleType('sre_lib')
        _pkg.__path__ = ['/usr/lib/python3.11/re']
        sys.modules['sre_lib'] = _pkg
    from sre_lib import _compiler

    def _bytes_to_codes(b):
        return [b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24 for i in range(0, len(b), 4)]
    _compiler._bytes_to_codes = _bytes_to_codes
    comp = _compiler.compile

import random
random.seed(5)
words = ['alpha', 'beta', 'gamma', 'delta', 'error', 'warning', 'info', 'user', 'host']
lines = []
for i in range(20000):
    lines.append('2024-01-%02d 12:%02d:%02d [%s] host%d.example.com GET /api/v1/%s?id=%d 200 %d' % (
        i % 28 + 1, i % 60, (i * 7) % 60, random.choice(['INFO', 'WARN', 'ERROR']), i % 50, random.choice(words), i, i * 3))
log = '\n'.join(lines)
text = ' '.join(random.choice(words + ['john.doe@example.com', 'http://www.python.org/doc/x?y=1', 'a@b.co']) for _ in range(150000))
which = sys.argv[1]
t0 = time.perf_counter()
if which == 'log':
    p = comp(r'^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] (\S+) (GET|POST) (\S+) (\d{3}) (\d+)$', 8)
    n = 0
    for line in lines:
        m = p.match(line)
        if m and m.group(7) == 'ERROR': n += 1
    print(n)
elif which == 'findall':
    p = comp(r'\[(ERROR|WARN)\] (\S+)')
    print(len(p.findall(log)))
elif which == 'email':
    p = comp(r'[\w.+-]+@[\w-]+\.[\w.-]+')
    print(len(p.findall(text)))
elif which == 'url':
    p = comp(r'https?://[^\s/$.?#].[^\s]*')
    print(len(p.findall(text)))
elif which == 'sub':
    p = comp(r'\d+')
    print(len(p.sub('#', log)))
elif which == 'subfn':
    p = comp(r'(\w+)@(\w+)')
    print(len(p.sub(lambda m: m.group(2), text)))
elif which == 'split':
    p = comp(r'\s+')
    print(len(p.split(text)))
elif which == 'search':
    p = comp(r'GET /api/v1/delta\?id=19999 ')
    c = 0
    for i in range(50):
        if p.search(log): c += 1
    print(c)
elif which == 'backtrack':
    p = comp(r'(a|b|ab)*c')
    c = 0
    for i in range(20):
        if p.match('ab' * 12 + 'x'): c += 1
    p2 = comp(r'(x+x+)+y')
    for i in range(3):
        if p2.match('x' * 17): c += 1
    p3 = comp(r'^(\w+)\s*=\s*(.*?)\s*;\s*$')
    for line in lines[:5000]:
        if p3.match('key_%d = value %d ;' % (len(line), len(line))): c += 1
    print(c)
elif which == 'ignorecase':
    p = comp(r'error|warn(ing)?', 2)
    print(len(p.findall(log)))
print('TIME %.4f' % (time.perf_counter() - t0), file=sys.stderr)
