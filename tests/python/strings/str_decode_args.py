# str(object, encoding, errors): CPython's argument types and messages.
import sys


def t(*a, **k):
    try:
        print(repr(str(*a, **k)))
    except Exception as e:
        print(type(e).__name__, e)


t(b'2', sys.getdefaultencoding)
t(b'2', 'ascii', 9)
t(b'abc', 'ascii')
t(b'\xff', 'ascii', 'replace')
t(b'\xc3\xa9', errors='strict')
t(bytearray(b'xy'), 'latin-1')
t(memoryview(b'mv'), 'utf-8')
t('x', 'ascii')
t(1, 'ascii')
t(b'raw')
