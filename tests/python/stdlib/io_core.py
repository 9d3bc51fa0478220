# _io, the C-level module under io: FileIO, buffered streams, TextIOWrapper, BytesIO, StringIO, open (CPython's behaviour).
import _io
import posix

base = "/tmp/io_core_%d" % posix.getpid()
posix.mkdir(base)
path = base + "/t.txt"

# BytesIO
b = _io.BytesIO(b"abc\ndef\nghi")
print(b.read(2), b.readline(), b.tell(), b.readlines(), b.read(), b.read(5))
b.seek(1)
print(b.write(b"XY"), b.getvalue(), b.tell())
b.seek(20)
b.write(b"!")
print(b.getvalue(), len(b.getvalue()))
print(b.truncate(3), b.getvalue(), b.seek(0, 2), b.seekable(), b.readable(), b.writable())
ba = bytearray(4)
b.seek(0)
print(b.readinto(ba), ba)
b.close()
print(b.closed)
try:
    b.read()
except ValueError as e:
    print("closed:", e)

# StringIO
s = _io.StringIO("one\ntwo\r\nthree")
print(repr(s.readline()), repr(s.readline()), repr(s.read()), s.tell())
s = _io.StringIO(newline=None)
s.write("a\r\nb\rc\n")
print(repr(s.getvalue()), s.newlines)
s = _io.StringIO("x\r\ny\rz", newline="")
print([l for l in s])
s = _io.StringIO()
print(s.write("hello"), s.seek(1), s.write("EL"), s.getvalue(), s.tell(), s.seek(0, 2))
s.seek(10)
s.write("z")
print(repr(s.getvalue()))
try:
    s.write(b"x")
except TypeError as e:
    print("TypeError:", e)
try:
    s.seek(1, 1)
except OSError as e:
    print("OSError:", e)

# open: text write and read back
with _io.open(path, "w") as f:
    print(type(f).__name__, f.mode, f.encoding, f.name == path, f.line_buffering, f.writable(), f.readable())
    print(f.write("line 1\nline 2\r\nline 3\nlast"), f.tell())
print(f.closed)
with open(path, "rb") as raw:
    print(raw.read())
f = _io.open(path)
print(repr(f.readline()), repr(f.readline()), f.tell())
print(repr(f.read(3)), repr(f.read()), repr(f.read()))
f.seek(0)
print(f.readlines(), f.newlines)
f.close()
with _io.open(path, newline="") as f:
    print(list(f))
with _io.open(path, newline="\r\n") as f:
    print(list(f))
with _io.open(path, "a") as f:
    f.write("\nappended")
with _io.open(path, "r+") as f:
    print(f.read(4), f.tell())
    f.seek(0)
    f.write("LINE")
    f.seek(0)
    print(repr(f.readline()))
with _io.open(path, "rb") as f:
    print(type(f).__name__, f.read(4), f.peek(1)[:1], f.read1(3), f.readline(), f.tell(), f.seek(-3, 2), f.read())
with _io.open(path, "rb", buffering=0) as f:
    print(type(f).__name__, f.mode, f.closefd, f.read(3), f.readall()[:5], f.seekable())
with _io.open(path, "wb") as f:
    print(type(f).__name__, f.write(b"\xff\xfe bytes"), f.tell())
try:
    _io.open(path, encoding="utf-8").read()
except UnicodeDecodeError as e:
    print("UnicodeDecodeError:", e.args[0], e.args[2], e.args[3], e.args[4])
with _io.open(path, encoding="utf-8", errors="replace") as f:
    print(repr(f.read()))
with _io.open(path, encoding="latin-1") as f:
    print(repr(f.read()), f.encoding)
with _io.open(path, encoding="utf-8", errors="surrogateescape") as f:
    print([hex(ord(c)) for c in f.read()])
with _io.open(path, "w", encoding="utf-16") as f:
    f.write("héllo\n")
with _io.open(path, "rb") as f:
    print(f.read())
with _io.open(path, encoding="utf-16") as f:
    print(repr(f.read()))
with _io.open(path, "w", encoding="utf-8") as f:
    f.write("naïve ☃ €\n" * 3000)
with _io.open(path, encoding="utf-8") as f:
    data = f.read()
    print(len(data), data[:12], f.tell())
with _io.open(path, encoding="utf-8") as f:
    n = 0
    for line in f:
        n += 1
    print("lines:", n)
with _io.open(path, encoding="utf-8") as f:
    f.read(7000)
    t = f.tell()
    rest = f.read(10)
    f.seek(t)
    print("tell/seek:", t, f.read(10) == rest)

# errors
for mode in ("rw", "rr", "q", "wb+t", "xa"):
    try:
        _io.open(path, mode)
    except ValueError as e:
        print(repr(mode), "ValueError:", e)
try:
    _io.open(base + "/missing")
except FileNotFoundError as e:
    print("FileNotFoundError:", e.errno, e.filename == base + "/missing")
try:
    _io.open(base)
except IsADirectoryError as e:
    print("IsADirectoryError:", e.errno)
try:
    _io.open(path, "rb", encoding="utf-8")
except ValueError as e:
    print("ValueError:", e)
try:
    _io.open(path, "r", buffering=0)
except ValueError as e:
    print("ValueError:", e)
with _io.open(path, "r") as f:
    try:
        f.write("x")
    except _io.UnsupportedOperation as e:
        print("UnsupportedOperation:", e, isinstance(e, OSError), isinstance(e, ValueError))
try:
    _io.open(path, "r", encoding="no-such-codec")
except LookupError as e:
    print("LookupError:", e)

# descriptors and FileIO
fd = posix.open(path, posix.O_RDONLY)
f = _io.open(fd, "rb", closefd=False)
print(f.read(5), f.raw.closefd)
f.close()
print(posix.read(fd, 2))
posix.close(fd)
r, w = posix.pipe()
wf = _io.open(w, "w")
rf = _io.open(r, "r")
wf.write("through\na pipe\n")
wf.flush()
print(repr(rf.readline()), rf.seekable())
wf.close()
print(repr(rf.read()))
rf.close()
raw = _io.FileIO(path, "w")
print(raw.write(b"raw"), raw.mode, raw.closed)
raw.close()
print(raw.closed)
try:
    raw.write(b"x")
except ValueError as e:
    print("ValueError:", e)
print(_io.DEFAULT_BUFFER_SIZE, _io.text_encoding(None), _io.text_encoding("ascii"))
print(issubclass(_io.FileIO, _io._RawIOBase), issubclass(_io.BufferedReader, _io._BufferedIOBase), issubclass(_io.StringIO, _io._TextIOBase), issubclass(_io._TextIOBase, _io._IOBase))

# a Python subclass of _RawIOBase that only defines readinto
class Countdown(_io._RawIOBase):
    def __init__(self, n):
        self.n = n
    def readable(self):
        return True
    def readinto(self, buf):
        if self.n == 0:
            return 0
        buf[0] = 48 + self.n
        self.n -= 1
        return 1
c = Countdown(3)
print(c.read(5), c.read(), c.read())
br = _io.BufferedReader(Countdown(5))
print(br.read(2), br.read())
tw = _io.TextIOWrapper(_io.BytesIO(b"x\ny\n"), encoding="ascii")
print(tw.readlines(), tw.encoding)

posix.unlink(path)
posix.rmdir(base)
