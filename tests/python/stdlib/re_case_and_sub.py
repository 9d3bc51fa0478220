# Case mappings as CPython 3.11 (Unicode 14.0) has them, for str methods and _sre's IGNORECASE, and sub()
# returning the subject itself when nothing matched.
import _sre
import re

for c in [0xdf, 0xfb05, 0xfb06, 0x130, 0x131, 0x17f, 0x1e9e, 0x149, 0x390, 0x1f88, 0x3a3, 0x19b, 0xa7cb, 0x1c89]:
    print(hex(c), _sre.unicode_iscased(c), hex(_sre.unicode_tolower(c)), ascii(chr(c).upper()), ascii(chr(c).lower()),
          ascii(chr(c).title()), ascii(chr(c).casefold()))
print(ascii('\U00010d50\U00010d70'.upper()), ascii('\U00010d50\U00010d70'.lower()), ascii('\U00010400'.lower()))
print('s'.upper() == '\u017f'.upper() == 'S', 'i\u0131'.upper(), 'stra\u00dfe \u017fo'.upper())
for pat, s in [(r'S', '\u017f'), (r's', '\u017f'), ('\u017f', 'S'), ('\u017f', 's'), ('\ufb05', '\ufb06'),
               ('\ufb06', '\ufb05'), ('[\u017f]', 'S'), ('K', '\u212a'), ('\u0412', '\u1c80')]:
    print(ascii(pat), ascii(s), bool(re.match(pat, s, re.I)))
s = 'x' * 1000
print(re.sub('^y', '', s) is s, re.sub('y', 'z', s) is s, re.subn('q', '', s)[1], re.sub('x', 'y', 'axb'))
