"""_sre through CPython's own regex compiler: match, search, fullmatch, findall, finditer, split, sub and
subn over many patterns (groups, alternation, greedy/lazy/possessive repeats, atomic groups, lookarounds,
backreferences, conditionals, anchors, categories, IGNORECASE in ASCII and Unicode, bytes)."""
from mod_sre import compile as comp
I, M, S, X, A, U = 2, 8, 16, 64, 256, 32
cases = [
    (r'abc', 0, ['abc', 'xabcx', 'ab', '']),
    (r'a.c', 0, ['abc', 'a\nc', 'ac']),
    (r'a.c', S, ['a\nc']),
    (r'a*', 0, ['', 'aaa', 'baaa']),
    (r'a*?b', 0, ['aaab', 'b', 'aa']),
    (r'(a|b)*c', 0, ['ababc', 'c', 'abab']),
    (r'(a|bc)+d', 0, ['abcad', 'bcbcd', 'ad', 'xd']),
    (r'(?:ab)*?c', 0, ['ababc']),
    (r'(a)(b)?(c)', 0, ['ac', 'abc']),
    (r'^(\w+)\s+(\w+)$', 0, ['hello world', 'hello  world!']),
    (r'(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)', 0, ['on 2024-01-15 and 2023-12-31']),
    (r'[a-f0-9]+', 0, ['xyz deadbeef 123']),
    (r'[^a-z]+', 0, ['abcDEF123ghi']),
    (r'[\w.-]+@[\w-]+\.[\w.]+', 0, ['mail me at john.doe@example.com or x@y.org']),
    (r'\bfoo\b', 0, ['foo', 'afoo', 'foo bar', 'a foo.']),
    (r'\Bfoo', 0, ['afoo', 'foo']),
    (r'(?i)hello', 0, ['HeLLo', 'HELLO world']),
    (r'hello', I, ['xHELLO']),
    (r'(?m)^\w+$', 0, ['one\ntwo\nthree']),
    (r'^\w+$', 0, ['one\ntwo']),
    (r'a$', 0, ['a\n', 'a\nb', 'ba']),
    (r'a\Z', 0, ['a\n', 'ba']),
    (r'\Aa', 0, ['ab', 'ba']),
    (r'(a)\1', 0, ['aa', 'ab', 'xaax']),
    (r'(?P<q>[\'"]).*?(?P=q)', 0, ['say "hi" and \'bye\'']),
    (r'(a)?(?(1)b|c)', 0, ['ab', 'c', 'ac', 'b']),
    (r'foo(?=bar)', 0, ['foobar', 'foobaz']),
    (r'foo(?!bar)', 0, ['foobar', 'foobaz']),
    (r'(?<=a)b', 0, ['ab', 'cb']),
    (r'(?<!a)b', 0, ['ab', 'cb']),
    (r'(?<=\d{3})x', 0, ['123x', '12x']),
    (r'a{2,3}', 0, ['a', 'aa', 'aaaa']),
    (r'a{2,3}?', 0, ['aaaa']),
    (r'(ab){2}', 0, ['ababab']),
    (r'(?:a|b){3,}?c', 0, ['ababc']),
    (r'(a*)*', 0, ['aaa', 'b']),
    (r'(a*)+', 0, ['aaa', 'b']),
    (r'(a|)*b', 0, ['aab']),
    (r'(?:(a)|b)*', 0, ['ab', 'ba']),
    (r'((a)|(b))*', 0, ['ab', 'ba']),
    (r'(a+|b+)*c', 0, ['aabbc']),
    (r'x*', 0, ['axxb']),
    (r'', 0, ['abc']),
    (r'\d+|\s+', 0, ['12 34  56']),
    (r'(?s).+', 0, ['a\nb']),
    (r'(?x) a b  # comment\n c', 0, ['abc']),
    (r'a++b', 0, ['aab', 'aaa']),
    (r'a*+a', 0, ['aaa']),
    (r'(?>a+)b', 0, ['aab']),
    (r'(?>a|ab)c', 0, ['abc', 'ac']),
    (r'(?:ab)++c', 0, ['ababc', 'abab']),
    (r'(?:ab|a)*+b', 0, ['abab']),
    (r'[\d\s]+', 0, ['1 2 3x']),
    (r'[^\W\d]+', 0, ['ab12cd_e']),
    (r'\W+', 0, ['a, b;c']),
    (r'\S+', 0, ['  x y ']),
    (r'\D+', 0, ['12ab34']),
    (r'é+', I, ['ÉÉé']),
    (r'[à-ÿ]+', 0, ['hé là']),
    (r'\w+', 0, ['naïve café 日本語']),
    (r'\w+', A, ['naïve café']),
    (r'[Σσς]', I, ['σ', 'ς', 'Σ']),
    (r'σ', I, ['Σ', 'ς']),
    (r'k', I, ['\u212a']),
    (r'\d', 0, ['٣']),
    (r'\d', A, ['٣']),
    (r'\s+', 0, ['a\u2003\u2000b']),
    (r'(\w+)@(\w+)\.com', 0, ['a@b.com c@d.com']),
    (r'(?i)[^a]', 0, ['A', 'b']),
    (r'[\u0100-\u0200]+', 0, ['xĀāĂy']),
    (r'.*foo', 0, ['xfooyfoo']),
    (r'.*?foo', 0, ['xfooyfoo']),
    (r'(.*)(\d+)', 0, ['abc123']),
    (r'(.*?)(\d+)', 0, ['abc123']),
    (r'^(?:(\d+)|(\w+))$', 0, ['123', 'abc']),
    (r'(?P<first>\w+) (?P<last>\w+)', 0, ['Jane Doe']),
    (r'a|b|c|d', 0, ['xxd']),
    (r'ab|ac|ad', 0, ['xad']),
    (r'(a(b(c)))', 0, ['abc']),
    (r'[-a]', 0, ['-']),
    (r'[]a]', 0, [']']),
    (r'\x41\u0042\101', 0, ['ABA']),
    (r'(?:x|y)z', 0, ['xz yz']),
    (r'\$\d+\.\d{2}', 0, ['cost $12.50 today']),
    (r'(a)(?:b(c)|d)(e)?', 0, ['abce', 'ad']),
    (r'(?P<n>a)(?P=n)+', 0, ['aaa']),
    (r'(a)|(b)', 0, ['b']),
    (r'(a)|b', 0, ['b']),
    (r'((a)|b)+', 0, ['ab']),
    (r'(\s*)(\S*)', 0, ['  x  ']),
    (r'(a?)+?b', 0, ['aab']),
    (r'(?:a*?)*?b', 0, ['aab']),
    (r'(?:()|a)*b', 0, ['aab']),
]
def show(m):
    if m is None: return 'None'
    return '%r %r %r %r %r %r' % (m.span(), m.group(), m.groups(), m.groupdict(), m.lastindex, m.lastgroup)
for pat, fl, subjects in cases:
    try:
        p = comp(pat, fl)
    except Exception as e:
        print(pat, 'compile error', type(e).__name__, e); continue
    print('PATTERN', repr(p), p.groups)
    for s in subjects:
        print(' ', repr(s))
        print('   match', show(p.match(s)))
        print('   search', show(p.search(s)))
        print('   fullmatch', show(p.fullmatch(s)))
        print('   findall', p.findall(s))
        print('   finditer', [m.span() for m in p.finditer(s)])
        print('   split', p.split(s))
        print('   sub', p.sub('-', s), p.subn(lambda m: '<' + m.group() + '>', s))
        print('   pos', show(p.search(s, 1)), show(p.match(s, 1, len(s) - 1)))
for pat, s in [(rb'\w+', b'ab cd'), (rb'[\x80-\xff]+', b'a\xe9\xff'), (rb'(?i)abc', b'xABC'), (rb'\d+', b'12 34')]:
    p = comp(pat)
    print(repr(p), p.findall(s), p.split(s), p.sub(b'X', s), show(p.search(s)))
