# _codecs: the codecs written in C# (utf-8/16/32, latin-1, ascii, charmap, escapes), error handlers
# (built-in and registered), registry lookups, UnicodeError texts and attributes, str.encode/bytes.decode.
import _codecs as c
def t(f,*a,**k):
    try: print(repr(f(*a,**k)))
    except Exception as e: print(type(e).__name__, e)
s = 'aé€\U0001F600'
for enc in ['utf-8', 'utf-16', 'utf-16-le', 'utf-16-be', 'utf-32', 'utf-32-le', 'utf-32-be', 'latin-1', 'ascii', 'UTF8', 'Latin_1']:
    for err in ['strict', 'ignore', 'replace', 'backslashreplace', 'xmlcharrefreplace', 'surrogateescape']:
        t(s.encode, enc, err)
bad = b'a\xff\xc3\x28\xe2\x82\x28\xf0\x9f\x98b\xed\xa0\x80z'
for enc in ['utf-8', 'ascii', 'latin-1', 'utf-16-le', 'utf-16-be', 'utf-32-le']:
    for err in ['strict', 'ignore', 'replace', 'backslashreplace', 'surrogateescape', 'surrogatepass']:
        t(bad.decode, enc, err)
t(b'\xf0\x9f\x98'.decode, 'utf-8')
t(c.utf_8_decode, b'ab\xf0\x9f\x98', None, False)
t(c.utf_8_decode, b'ab\xf0\x9f\x98', 'strict', True)
t(c.utf_16_decode, b'\xff\xfea\x00b')
t(c.utf_16_ex_decode, b'\xfe\xff\x00a\x00b', 'strict', 0, True)
t(c.utf_32_ex_decode, b'\xff\xfe\x00\x00a\x00\x00\x00')
t(c.utf_16_le_decode, b'\x00\xd8a\x00', 'strict', True)
t(c.utf_16_le_decode, b'\x00\xdca\x00', 'strict', True)
t(c.utf_16_le_decode, b'\x00\xd8', 'strict', True)
t(c.utf_32_le_decode, b'\x00\x00\x11\x00', 'strict', True)
t(c.utf_32_le_decode, b'\x00\xd8\x00\x00', 'strict', True)
t(c.utf_32_le_decode, b'\x00\xd8\x00\x00', 'surrogatepass', True)
t('\ud800x'.encode, 'utf-8'); t('\ud800x'.encode, 'utf-8', 'surrogatepass'); t('\udcffx'.encode, 'utf-8', 'surrogateescape'); t('\ud800'.encode, 'utf-16-be', 'surrogatepass')
t(b'\xed\xa0\x80'.decode, 'utf-8', 'surrogatepass')
t(c.utf_8_encode, 'abc'); t(c.utf_8_encode, b'abc'); t(c.utf_8_encode, 'a', 1)
t(c.latin_1_encode, 'aé€'); t(c.ascii_decode, b'a\x80'); t(c.latin_1_decode, b'\xe9')
t(c.charmap_decode, b'abc', 'strict', 'xyz'); t(c.charmap_decode, b'abd', 'strict', 'xyz'); t(c.charmap_decode, b'ab', 'strict', {97: 'Q', 98: None})
t(c.charmap_decode, b'ab', 'replace', {97: 0x263a}); t(c.charmap_build, 'abc')
t(c.charmap_encode, 'abz', 'strict', c.charmap_build('abc')); t(c.charmap_encode, 'abz', 'replace', {97: 1, 98: b'xy', 63: 63})
t(c.unicode_escape_encode, 'a\\\n\té\u20ac\U0001F600\x7f"\'')
t(c.raw_unicode_escape_encode, 'a\\\n\té\u20ac\U0001F600')
t(c.unicode_escape_decode, b'a\\n\\t\\x41\\u20ac\\U0001F600\\101\\\nzz')
t(c.unicode_escape_decode, b'\\x4')
t(c.unicode_escape_decode, b'\\u12', 'replace')
t(c.unicode_escape_decode, b'abc\\')
t(c.unicode_escape_decode, b'\\U00110000')
t(c.raw_unicode_escape_decode, b'a\\u20ac\\\\u20ac\\x41\\U0001F600')
t(c.raw_unicode_escape_decode, b'\\u12')
t(c.escape_encode, b'a\\\'\n\x00\xff"'); t(c.escape_decode, b'a\\n\\x41\\\\\\\''); t(c.escape_decode, b'\\x4'); t(c.escape_decode, b'abc\\'); t(c.escape_decode, b'\\x4', 'replace')
t(c.readbuffer_encode, b'xy'); t(c.readbuffer_encode, 'xé')
def handler(e):
    print('handler', type(e).__name__, e.encoding, e.object, e.start, e.end, e.reason)
    return ('<%d>' % e.start, e.end)
c.register_error('mine', handler)
t('aéb€'.encode, 'ascii', 'mine'); t(b'a\xffb'.decode, 'utf-8', 'mine')
c.register_error('back', lambda e: ('X', -1))
t('ab€c'.encode, 'ascii', 'back')
c.register_error('bad', lambda e: 5)
t('ab€'.encode, 'ascii', 'bad')
c.register_error('far', lambda e: ('', 99))
t('ab€'.encode, 'ascii', 'far')
t(c.lookup_error, 'nope'); print(c.lookup_error('strict').__name__, c.lookup_error('surrogateescape').__name__)
t('x€'.encode, 'ascii', 'nope')
e = UnicodeEncodeError('ascii', 'aé€', 1, 3, 'boom'); print(str(e), e.start, e.end, e.reason, e.object, e.encoding)
e = UnicodeDecodeError('utf-8', b'a\xff', 1, 2, 'bad'); print(str(e), e.object)
e.start = 0; e.end = 2; print(str(e))
for h in ['strict', 'ignore', 'replace', 'backslashreplace', 'xmlcharrefreplace', 'surrogateescape']:
    t(c.lookup_error(h), UnicodeEncodeError('ascii', 'aé€', 1, 3, 'boom'))
    t(c.lookup_error(h), UnicodeDecodeError('ascii', b'a\xe9\x80', 1, 3, 'boom'))
t(c.lookup_error('strict'), 5)
found = []
def search(name):
    found.append(name)
    return None
c.register(search)
t(c.lookup, 'Foo Bar-Baz'); t(c.lookup, '--X..Y  '); print(found)
t(c.register, 1)
def search2(name):
    if name == 'rot_x': return (lambda s, e='strict': (s.upper().encode(), len(s)), lambda b, e='strict': (bytes(b).decode().lower(), len(b)), None, None)
c.register(search2)
t(c.encode, 'abc', 'rot-x'); t(c.decode, b'ABC', 'rot_x'); t('abc'.encode, 'ROT X'); t(b'XY'.decode, 'rot_x')
t(c.encode, 'abc'); t(c.decode, b'abc', 'ascii'); t(c.encode, 'é', 'ascii', 'replace')
c.unregister(search2); t(c.lookup, 'rot_x')
t(str, b'\xe9t\xe9', 'latin-1'); t(str, b'\xff', 'utf-8', 'replace')
t(c.utf_16_encode, 'ab', 'strict', 1); t(c.utf_16_encode, 'ab', 'strict', -1); t(c.utf_32_encode, 'a')
