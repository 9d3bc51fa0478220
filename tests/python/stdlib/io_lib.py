# Lib's io.py over our _io: the io names, BufferedRWPair, IncrementalNewlineDecoder, and builtins.open making _io objects.
import io
import _io
import posix

print(io.DEFAULT_BUFFER_SIZE, io.UnsupportedOperation.__module__, issubclass(io.UnsupportedOperation, OSError))
print(io.open is _io.open, io.SEEK_SET, io.SEEK_CUR, io.SEEK_END)
print(isinstance(io.StringIO(), io.BufferedIOBase), io.IOBase.__module__, io.RawIOBase.__name__)

# open() gives _io objects of the mode's kind
base = "/tmp/io_lib_%d" % posix.getpid()
posix.mkdir(base)
path = base + "/t.txt"
with open(path, "w") as f:
    print(type(f).__name__, f.mode, f.encoding, f.name == path, type(f.buffer).__name__, type(f.buffer.raw).__name__)
    print(f.write("line one\nline two\r\nthree"))
with open(path, "rb") as f:
    print(type(f).__name__, f.read())
with open(path, "rb", buffering=0) as f:
    print(type(f).__name__, f.read(4))
with open(path) as f:
    print(f.readlines(), f.newlines)
with open(path, newline="") as f:
    print(list(f))
with open(path, "a+") as f:
    print(type(f.buffer).__name__, f.tell())
try:
    open(base + "/missing.txt")
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename == base + "/missing.txt")
try:
    open(path, "rw")
except ValueError as e:
    print("ValueError:", e)
try:
    open(base)
except IsADirectoryError as e:
    print(type(e).__name__, e.errno)
posix.unlink(path)
posix.rmdir(base)

# BufferedRWPair over a pipe
r, w = posix.pipe()
pair = io.BufferedRWPair(io.FileIO(r, "r"), io.FileIO(w, "w"))
print(pair.readable(), pair.writable(), pair.closed)
print(pair.write(b"hello pair\n"))
pair.flush()
print(pair.peek()[:5], pair.read(6), pair.read1(20))
pair.close()
print(pair.closed)
try:
    io.BufferedRWPair(io.BytesIO(), io.FileIO(posix.pipe()[0], "r"))
except io.UnsupportedOperation as e:
    print("UnsupportedOperation:", e)

# IncrementalNewlineDecoder, with and without an inner decoder
d = io.IncrementalNewlineDecoder(None, translate=True)
print(repr(d.decode("a\r")), repr(d.decode("\nb\r")), repr(d.decode("c\n")), d.newlines)
print(d.getstate(), repr(d.decode("x\r")), d.getstate(), repr(d.decode("", final=True)), d.newlines)
d.reset()
print(d.newlines, d.getstate())
d2 = io.IncrementalNewlineDecoder(None, translate=False)
print(repr(d2.decode("1\r\n2\r3\n")), d2.newlines)
import codecs
u = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")(), translate=True)
print(repr(u.decode(b"caf\xc3")), u.getstate(), repr(u.decode(b"\xa9\r")), u.getstate(), repr(u.decode(b"\n")))
u.setstate((b"", 1))
print(repr(u.decode(b"z")), u.newlines)
try:
    d.decode(b"bytes")
except TypeError as e:
    print("TypeError:", e)
