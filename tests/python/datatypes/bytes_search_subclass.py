# bytes/bytearray find/rfind/index/rindex/count/startswith/endswith/in: int or buffer sub, clamped
# start/end, CPython's messages; fromhex; instances of bytes and bytearray subclasses
import pickle, copy
for t in (bytes, bytearray):
    b = t(b'mississippi')
    print(b.count(b'i', 6), b.count(b'ss', 1, 5), b.count(b'', 1, 3), b.count(b'', 20), b.count(105, None, None))
    print(b.find(b'ss', 3), b.rfind(b'ss'), b.rfind(b'', 4), b.rfind(b'', 20), b.find(memoryview(b'pp')), b.rindex(115))
    print(b.startswith((b'x', b'mis')), b.startswith(b'ss', 2), b.endswith(b'pi', 0, -1), b.endswith(memoryview(b'pi')))
    print(105 in b, memoryview(b'sip') in b, b'zz' in b)
    for call in (lambda: b.find('s'), lambda: b.find(300), lambda: b.index(b'z'), lambda: b.rindex(b'q', 1),
                 lambda: b.startswith([b'm']), lambda: b.endswith('i'), lambda: b.startswith((b'm', 'i')),
                 lambda: 300 in b, lambda: 'm' in b, lambda: b.find(1.5), lambda: b.count()):
        try:
            print(call())
        except (TypeError, ValueError) as e:
            print(type(e).__name__ + ':', e)
    print(t.fromhex('1a 2B30'), t.fromhex(' 1a\t\n2b'))
    for s in ('1 a', 'zz', '1a2', b'1a'):
        try:
            t.fromhex(s)
        except (TypeError, ValueError) as e:
            print(type(e).__name__ + ':', e)

class BytesSubclass(bytes):
    pass
class ByteArraySubclass(bytearray):
    pass
for sub in (BytesSubclass, ByteArraySubclass):
    a = sub(b'abcd')
    a.x = 10
    a.z = sub(b'efgh')
    print(type(a).__name__, a, isinstance(a, sub.__bases__[0]), type(a + a).__name__, type(sub.fromhex('41')).__name__)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        b = pickle.loads(pickle.dumps(a, proto))
        print(type(b).__name__, b == a, b.x, type(b.z).__name__, b.z)
    for c in (copy.copy(a), copy.deepcopy(a)):
        print(type(c).__name__, c == a, c.x, c.z)
