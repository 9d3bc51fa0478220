"""_sre's BIGCHARSET (a charset beyond Latin-1 as 256 chunk numbers and 256-bit chunks) and IGNORECASE
charsets with Unicode case fixes (k/K/KELVIN SIGN, sigma forms). Lib/re/_compiler.py packs the chunk numbers
with memoryview(...).cast('I'); the same packing in Python keeps this program independent of memoryview."""
import mod_sre
from mod_sre import compile as comp, I, A

def bytes_to_codes(b):
    return [b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24 for i in range(0, len(b), 4)]

mod_sre._compiler._bytes_to_codes = bytes_to_codes

cases = [
    (r'[a-z]+', I, ['ABCdef', '\u212aelvin', 'ſ']),
    (r'[a-z]', I, ['\u212a', 'K', '1']),
    (r'[\u0100-\u0200]+', I, ['xĀāĂy', 'ǅ']),
    (r'[α-ωά-ώ]+', I, ['ΑΒΓ δέλτα', 'ΣΊΣΥΦΟΣ']),
    (r'[\u3040-\u309f\u30a0-\u30ff\u4e00-\u4e0f]+', 0, ['abc ひらがな カタカナ 一丁 xyz']),
    (r'[^\u0400-\u04ff\u2000-\u2010 ]+', 0, ['привет мир hello']),
    (r'[\w\u2000-\u2100]+', 0, ['ab\u2003cd ef']),
    (r'[ßẞ]+', I, ['ßẞSS']),
    (r'[ǆǅǄ]', I, ['ǅ', 'ǆ', 'Ǆ']),
]
for pat, fl, subjects in cases:
    p = comp(pat, fl)
    print(ascii(pat), fl)
    for s in subjects:
        print('  ', ascii(s), ascii(p.findall(s)), [m.span() for m in p.finditer(s)], ascii(p.sub('#', s)))
