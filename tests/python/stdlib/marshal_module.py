# marshal: CPython's format (version 4) for the basic types, dumps/loads/dump/load, errors.
import marshal

print(marshal.version)
values = [None, True, False, ..., 0, 1, -1, 255, 2**31 - 1, -2**31, 2**31, 2**40, -2**70, 10**30,
          1.5, -0.0, float("inf"), 1e300, 2j, 1.5 - 2.5j, "", "abc", "a b", "é", "日本", "\U0001f600",
          "x" * 300, b"", b"xy", bytes(range(256)), (), (1, "a"), ((1,),), StopIteration]
for v in values:
    data = marshal.dumps(v)
    back = marshal.loads(data)
    print(repr(v)[:40], data[:24], back == v or v != v, type(back).__name__)

# containers: their contents and round trips
for v in [[1, [2]], {"k": (1,), 2: [3]}, {1, 2, 3}, frozenset({"a"}), [[]] * 3, {"nested": {"d": [1.5, None]}}]:
    back = marshal.loads(marshal.dumps(v))
    print(back == v, type(back).__name__)
shared = [1]
twice = marshal.loads(marshal.dumps([shared, shared]))
print(twice, twice[0] is twice[1])
print(marshal.loads(marshal.dumps(bytearray(b"ab"))), marshal.loads(memoryview(marshal.dumps("mv"))))

# data CPython wrote loads
print(marshal.loads(b"\xa9\x02\xe9\x01\x00\x00\x00\xda\x01a"))
print(marshal.loads(b"\xec\xfb\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04"))
print(marshal.loads(b"\xfb\xda\x01k\xa9\x01\xe9\x01\x00\x00\x000"))
print(marshal.loads(b"\xdb\x02\x00\x00\x00\xe9\x01\x00\x00\x00[\x01\x00\x00\x00\xe9\x02\x00\x00\x00"))
print(marshal.loads(b"\xbe\x01\x00\x00\x00\xe9\x03\x00\x00\x00"))
print(marshal.loads(b"i\x05\x00\x00\x00trailing"))
print(marshal.loads(marshal.dumps("v2", 2)), marshal.loads(marshal.dumps((1, 2.5), 0)), marshal.dumps(1.5, 1)[:1])

# dump and load on files: consecutive values
import os
import tempfile
work = tempfile.mkdtemp()
name = os.path.join(work, "values.bin")
with open(name, "wb") as f:
    marshal.dump(1, f)
    marshal.dump("two", f)
    marshal.dump([3], f)
with open(name, "rb") as f:
    print(marshal.load(f), marshal.load(f), marshal.load(f))
    try:
        marshal.load(f)
    except EOFError as e:
        print("EOFError", e)
os.remove(name)
os.rmdir(work)

# errors
for bad in [object(), [object()], {1: print}, 1 .__class__]:
    try:
        marshal.dumps(bad)
    except ValueError as e:
        print("ValueError", e)
for data in [b"", b"i\x01", b"\x01", b"[\x05\x00\x00\x00", b"\xe9"]:
    try:
        print(marshal.loads(data))
    except (EOFError, ValueError, TypeError) as e:
        print(type(e).__name__, e)
try:
    marshal.loads("str")
except TypeError as e:
    print("TypeError", e)
try:
    marshal.dumps()
except TypeError as e:
    print("TypeError", e)
