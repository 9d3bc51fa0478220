# array: every typecode's conversions and CPython's overflow/type texts, the sequence protocol,
# slicing (extended too), comparisons, the methods and the buffer protocol.
import array
import copy
import io

def err(f, *a):
    try:
        print(f(*a))
    except Exception as e:
        print(type(e).__name__, e)

print(array.typecodes, array.ArrayType is array.array)
for tc in array.typecodes:
    print(tc, array.array(tc).itemsize, end="; ")
print()
for tc, vals in [("b", [-129, 128]), ("B", [-1, 256]), ("h", [-32769, 32768]), ("H", [-1, 65536]), ("i", [-2**31 - 1, 2**31]),
                 ("I", [-1, 2**32]), ("l", [-2**63 - 1, 2**63]), ("L", [-1, 2**64]), ("q", [-2**63 - 1, 2**63]), ("Q", [-1, 2**64])]:
    for v in vals:
        err(array.array, tc, [v])
    print(array.array(tc, [vals[0] + 1, vals[1] - 1]))
err(array.array, "x")
err(array.array, 1)
err(array.array, "bb")
err(array.array, "b", "abc")
err(array.array, "i", [1.5])
err(array.array, "d", ["x"])
err(array.array, "u", [1])
err(array.array, "u", ["ab"])
err(lambda: array.array("i", [1]).index(5))
err(lambda: array.array("i").pop())
err(lambda: array.array("i", [1]).pop(5))
err(lambda: array.array("i", [1]).remove(3))
err(lambda: array.array("i", [1])[5])
err(lambda: array.array("i", [1]) + array.array("d"))
err(lambda: array.array("i", [1]).frombytes(b"abc"))
err(lambda: array.array("i").tounicode())
err(lambda: array.array("i").fromunicode("x"))
err(lambda: array.array("i", [1]).__setitem__(slice(0, 1), [1]))
err(lambda: array.array("i", [1]).extend(array.array("d")))
err(lambda: array.array("i") + [1])
err(lambda: array.array("i", [1, 2]).__setitem__(slice(0, 2, 2), array.array("i", [1, 2])))
err(lambda: array.array("i", [1])["x"])
print(array.array("i", b"abcd"), array.array("b", b"\x01\xff"), array.array("i", range(3)), array.array("d", (x / 2 for x in range(3))))
a = array.array("i", [1, 2, 3])
print(a, repr(array.array("u", "hi")), array.array("d"), a.itemsize, a.typecode, a.tolist(), a.tobytes())
print(a[1:], a[::-1], a * 2, 2 * a, 2 in a, 5 in a, a == array.array("i", [1, 2, 3]), a != array.array("d", [1, 2, 3]))
print(a < array.array("i", [1, 3]), a >= array.array("i", [1, 2]), a.count(2), a.index(3), a.buffer_info()[1], len(a), bool(array.array("b")))
a.append(4); a.extend([5, 6]); a.insert(0, 0); a.insert(-1, 9); a.insert(100, 10); a.reverse()
print(a, a.pop(), a.pop(0), a)
a.byteswap(); print(a); a.byteswap()
del a[1]; print(a)
a[1:3] = array.array("i", [7]); print(a, len(a))
a[::2] = array.array("i", [0] * len(a[::2])); print(a)
del a[::3]; print(a)
a += array.array("i", [8]); a *= 2; print(a)
a[-1] = 42; print(a[-1], list(a), [x * 2 for x in a][:3])
b = array.array("f", [1.5, 2.25]); print(b, b.tobytes(), bytes(array.array("H", [1, 2])), list(array.array("B", b"xy")))
u = array.array("u", "abc"); u.fromunicode("dé"); print(u, u.tounicode(), u[1], len(u))
c = copy.copy(a); print(c == a, c is a, copy.deepcopy(a) == a)
f = io.BytesIO(); array.array("h", [1, 2, 3]).tofile(f); f.seek(0)
g = array.array("h"); g.fromfile(f, 3); print(g)
err(g.fromfile, io.BytesIO(b"\x01"), 2)
print(g)
g.fromlist([4, 5]); print(g)
err(g.fromlist, [6, "x"])
print(g)
it = iter(array.array("i", [1, 2]))
print(next(it), next(it), next(it, "end"))
import struct
print(struct.unpack("3h", array.array("h", [1, 2, 3])))
