# memoryview over bytes/bytearray: items, slices with steps, tobytes/tolist/hex, writes through, cast, release
m = memoryview(b"abcdef")
print(m[1], m[-1], len(m), m.tobytes(), m.tolist()[:3], m.readonly, m.format, m.itemsize, m.nbytes, m.ndim, m.shape, m.strides)
print(m[1:4].tobytes(), m[::2].tobytes(), m[::-1].tobytes(), m[::2].strides, m[1:4].contiguous, m[::2].contiguous)
print(m == b"abcdef", m[1:3] == b"bc", m == memoryview(b"abcdef"), m != b"x", bytes(m[2:]), list(m[:2]))
print(m.hex(), m.hex(":"), m.obj, m[1:3].obj is m.obj)
try:
    m[0] = 1
except TypeError as e:
    print("TypeError:", e)
try:
    m[10]
except IndexError as e:
    print("IndexError:", e)

ba = bytearray(b"hello")
v = memoryview(ba)
v[0] = ord("J")
v[1:3] = b"EL"
print(ba, v.readonly)
try:
    v[0:2] = b"xyz"
except ValueError as e:
    print("ValueError:", e)
try:
    v[0] = 300
except ValueError as e:
    print("ValueError:", e)
v[::2] = b"123"
print(ba)

raw = bytearray(b"\x01\x00\x02\x00\xff\xff\x00\x00")
h = memoryview(raw).cast("H")
print(h.format, h.itemsize, len(h), h.tolist(), h[2], h.nbytes)
i = memoryview(raw).cast("i")
print(i.tolist())
h[0] = 513
print(raw[:2], h.cast("B").tolist()[:4])
d = memoryview(bytearray(16)).cast("d")
d[1] = 2.5
print(d.tolist())
try:
    h.cast("i")
except TypeError as e:
    print("TypeError:", e)
try:
    memoryview(b"abc").cast("H")
except TypeError as e:
    print("TypeError:", e)

with memoryview(b"xyz") as r:
    print(r.tobytes())
print(r.released if hasattr(r, "released") else "?")
try:
    r.tobytes()
except ValueError as e:
    print("ValueError:", e)
try:
    memoryview("str")
except TypeError as e:
    print("TypeError:", e)
print(hash(memoryview(b"ab")) == hash(b"ab"))
print(memoryview(b"ab").toreadonly().readonly, type(m).__name__)
