# mmap: anonymous and file-backed maps, access modes, the file-like methods, indexing and slicing,
# resize, and CPython's errors.
import mmap
import os
import tempfile

def err(f, *a, **k):
    try:
        print(f(*a, **k))
    except Exception as e:
        print(type(e).__name__, e)

print(mmap.PAGESIZE, mmap.ALLOCATIONGRANULARITY, mmap.ACCESS_READ, mmap.ACCESS_WRITE, mmap.ACCESS_COPY, mmap.MAP_SHARED, mmap.PROT_READ, mmap.error is OSError)
m = mmap.mmap(-1, 10)
print(len(m), m[:], m.tell(), m.closed)
err(lambda: m[10])
err(m.__setitem__, 0, 300)
err(m.__setitem__, slice(0, 2), b"abc")
err(m.__delitem__, 0)
err(m.seek, 11)
err(m.seek, 0, 5)
m.seek(10)
err(m.read_byte)
err(m.write, b"x" * 20)
err(m.move, 5, 0, 10)
err(m.flush, 0, 100)
err(m.write_byte, b"x")
err(m.find, "x")
err(m.__setitem__, 0, b"x")
m.seek(0)
print(m.write(b"hello"), m.tell(), m[:], m[1], m[-1], m[::2], m.find(b"l"), m.rfind(b"l"), m.find(b"l", 3), m.find(b"zz"))
m[5:8] = b"XYZ"
m[9] = 33
m.move(0, 5, 3)
print(m[:], bytes(m)[:3])
m.seek(0)
print(m.read(3), m.read_byte(), m.read(), m.read(), m.tell())
m.seek(-2, 2)
print(m.tell(), m.read())
m.close()
print(m.closed, repr(m))
err(m.read)
err(len, m)
err(mmap.mmap, -1, -1)
err(mmap.mmap, -1, 10, offset=-1)
err(mmap.mmap, -1, 10, access=9)

fd, path = tempfile.mkstemp()
os.write(fd, b"abc\ndef\n")
r = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
print(r.readline(), r.readline(), r.readline(), r.size(), repr(r))
err(r.__setitem__, 0, 1)
err(r.write, b"x")
err(r.resize, 3)
r.close()
err(mmap.mmap, fd, 100)
err(mmap.mmap, fd, 0, offset=4096)
w = mmap.mmap(fd, 0)
w[0:3] = b"XYZ"
w.flush()
os.lseek(fd, 0, 0)
print(os.read(fd, 100), w.read(2), w.tell(), w.seek(2, 1), w.tell(), w.read())
w.resize(4)
print(w[:], w.size(), len(w), os.path.getsize(path))
w.close()
c = mmap.mmap(fd, 0, access=mmap.ACCESS_COPY)
c[0] = 65
print(c[:2])
os.lseek(fd, 0, 0)
print(os.read(fd, 2))
c.close()
with mmap.mmap(-1, 5) as q:
    q.write(b"ab")
    print(q[:], q.closed)
print(q.closed)
os.close(fd)
e, epath = tempfile.mkstemp()
err(mmap.mmap, e, 0)
os.close(e)
os.unlink(epath)
os.unlink(path)
