# bytearray item/slice assignment and deletion (extended slices), in-place += and *=, the export check of a
# memoryview, the live iterator, and the constructor's errors (CPython's bytearrayobject.c / bytes_new)
import pickle
import sys


def attempt(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, e)


b = bytearray(range(10))
del b[0]
del b[-1]
print(b)
b[2:5] = b"xy"
print(b)
b[::2] = bytes(len(b[::2]))
print(b)
del b[::3]
print(b)
b[1:1] = [65, 66]
print(b)
b[5:2] = b"!"
print(b)
attempt("ext-size", lambda: b.__setitem__(slice(None, None, 2), b"ab"))
attempt("int-value", lambda: b.__setitem__(slice(0, 1), 5))
attempt("str-value", lambda: b.__setitem__(slice(0, 1), "ab"))
attempt("range-value", lambda: b.__setitem__(slice(0, 1), [1, 256]))
attempt("bad-index", lambda: b["a"])
attempt("bad-set", lambda: b.__setitem__("a", 1))
attempt("out-of-range", lambda: b.__setitem__(99, 1))
b = bytearray(range(256))
b[8:] = b
print(len(b), b[:10])
c = b
c += b"xyz"
c *= 2
print(c is b, len(b), b[-4:])
b *= 0
print(b, c is b)

# a held view forbids any change of size, before anything changes
b = bytearray(b"0123456789")
v = memoryview(b)
b[0:2] = b"ab"
for label, fn in [("grow", lambda: b.extend(b"x")), ("pop", lambda: b.pop()), ("del", lambda: b.__delitem__(0)),
                  ("slice", lambda: b.__setitem__(slice(1, 3), b"")), ("iadd", lambda: b.__iadd__(b"x")),
                  ("clear", lambda: b.clear())]:
    attempt(label, fn)
print(b)
v.release()
b.extend(b"!")
print(b)
with memoryview(b) as m:
    attempt("in-with", lambda: b.append(1))
b.append(33)
print(b)

# the iterator reads the bytearray as it is now, and pickles with it
b = bytearray(b"abc")
it = iter(b)
print(type(it).__name__, next(it), it.__length_hint__())
b.extend(b"de")
print(list(it), list(it))
b.append(1)
print(list(it))
it = iter(b)
next(it)
it2, b2 = pickle.loads(pickle.dumps((it, b)))
b2[:] = b"qwerty"
print(list(it2))

# __init__ appends as it goes; a subclass's __init__ decides
b = bytearray()
def gen():
    for i in range(1, 5):
        yield i
        print("seen", len(b))
b.__init__(gen())
print(b)
class Sub(bytearray):
    def __init__(self, first=1, *args, **kwargs):
        bytearray.__init__(self, *args, **kwargs)
print(Sub(4, b"abcd"), Sub(4))
for cls in (bytes, bytearray):
    for args, kw in [((1.0,), {}), (("x",), {}), ((0, "ascii"), {}), ((sys.maxsize + 1,), {}), ((-1,), {}),
                     ((None,), {}), ((), {"encoding": "ascii"}), ((), {"errors": "strict"}), (("x", None), {}),
                     (([256],), {}), (([1, "a"],), {}), (("\u20ac", "latin-1", "ignore"), {})]:
        attempt(cls.__name__, lambda: cls(*args, **kw))
class Idx:
    def __index__(self):
        return 3
class WithBytes:
    def __bytes__(self):
        return b"wb"
print(bytes(Idx()), bytearray(Idx()), bytes(WithBytes()))
attempt("bytearray-__bytes__", lambda: bytearray(WithBytes()))
class Shrinking:
    def __index__(self):
        lst.clear()
        return 42
lst = [Shrinking(), Shrinking()]
print(bytes(lst))
print(b"abc".__bytes__(), type(type("B", (bytes,), {})(b"x").__bytes__()).__name__)
print(bytearray(3).__alloc__() > 3, bytearray().__alloc__())
