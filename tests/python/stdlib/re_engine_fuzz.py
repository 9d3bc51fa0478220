"""_sre against CPython's on 300 random patterns (fixed seed: random is CPython's sequence) built from
groups, alternation, greedy/lazy/possessive repeats, lookarounds, atomic groups, anchors and classes, each
compiled by CPython's own Lib/re compiler and run with search, findall, sub and split on random subjects."""
import random
import mod_sre
def bytes_to_codes(b):
    return [b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24 for i in range(0, len(b), 4)]
mod_sre._compiler._bytes_to_codes = bytes_to_codes
comp = mod_sre.compile
rnd = random.Random(1)
atoms = ['a', 'b', 'c', '.', '[ab]', '[^a]', '\\w', '\\d', '\\s', '\\b', '^', '$', '(a)', '(b|c)', '(?:ab|a)', 'x']
def gen(d):
    if d > 3: return rnd.choice(atoms)
    r = rnd.random()
    if r < 0.3: return gen(d + 1) + gen(d + 1)
    if r < 0.45: return '(' + gen(d + 1) + '|' + gen(d + 1) + ')'
    if r < 0.6: return '(?:' + gen(d + 1) + ')' + rnd.choice(['*', '+', '?', '*?', '+?', '??', '{1,2}', '{2}', '{0,3}?', '*+', '++'])
    if r < 0.65: return '(?=' + gen(d + 1) + ')'
    if r < 0.7: return '(?!' + gen(d + 1) + ')'
    if r < 0.75: return '(?>' + gen(d + 1) + ')'
    if r < 0.8: return '(' + gen(d + 1) + ')' + rnd.choice(['*', '+', '?'])
    return rnd.choice(atoms) + rnd.choice(['', '*', '+', '?', '*?', '+?'])
n = 0
for i in range(300):
    p = gen(0)
    try:
        c = comp(p, rnd.choice([0, 0, 2, 8, 16]))
    except Exception as e:
        print(i, 'ERR', type(e).__name__); continue
    for j in range(4):
        s = ''.join(rnd.choice('abcx1 \n') for _ in range(rnd.randint(0, 10)))
        m = c.search(s)
        print(i, repr(p), repr(s), m and (m.span(), m.groups(), m.lastindex), c.findall(s), c.sub('-', s), c.split(s))
