# _bz2 and _lzma (over the system's libbz2 and liblzma) through Lib's bz2 and lzma: one-shot and streaming
# (de)compression, max_length/needs_input/unused_data/eof, formats, checks, filter chains and CPython's errors.
import bz2
import io
import lzma
import _bz2
import _lzma

def err(f, *a, **k):
    try:
        f(*a, **k)
        print("no error")
    except Exception as e:
        print(type(e).__name__, e)

data = b"The quick brown fox jumps over the lazy dog. " * 200
c = bz2.compress(data)
print(len(c), bz2.decompress(c) == data, bz2.decompress(c + c) == data + data, len(bz2.compress(data, 1)))
err(_bz2.BZ2Compressor, 0)
err(_bz2.BZ2Compressor, "x")
err(_bz2.BZ2Decompressor, 1)
comp = _bz2.BZ2Compressor()
stream = comp.compress(b"hello" * 10) + comp.flush()
err(comp.flush)
err(comp.compress, b"x")
d = _bz2.BZ2Decompressor()
print(d.needs_input, d.eof, d.decompress(stream[:10]), d.needs_input)
print(d.decompress(stream[10:] + b"zz", max_length=3), d.eof, d.needs_input, d.unused_data)
print(d.decompress(b"", 100), d.eof, d.unused_data)
err(d.decompress, b"x")
err(_bz2.BZ2Decompressor().decompress, b"garbage!!")
err(bz2.decompress, c[:-10])
f = io.BytesIO()
with bz2.BZ2File(f, "wb") as w:
    w.write(data)
f.seek(0)
with bz2.BZ2File(f) as r:
    print(r.read(10), len(r.read()))

x = lzma.compress(data)
print(len(x), lzma.decompress(x) == data)
for fmt in (lzma.FORMAT_XZ, lzma.FORMAT_ALONE):
    y = lzma.compress(data, format=fmt)
    print(fmt, len(y), lzma.decompress(y) == data, lzma.decompress(y, format=fmt) == data)
filters = [{"id": lzma.FILTER_DELTA, "dist": 4}, {"id": lzma.FILTER_LZMA2, "preset": 1}]
raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=filters)
print(len(raw), lzma.decompress(raw, format=lzma.FORMAT_RAW, filters=filters) == data)
for check in (lzma.CHECK_NONE, lzma.CHECK_CRC32, lzma.CHECK_SHA256):
    d = lzma.LZMADecompressor()
    print(d.check, d.decompress(lzma.compress(b"abc", check=check)), d.check, d.eof)
print(lzma.is_check_supported(lzma.CHECK_SHA256), lzma.is_check_supported(15))
print(_lzma._encode_filter_properties({"id": lzma.FILTER_LZMA1}))
print(_lzma._decode_filter_properties(lzma.FILTER_LZMA1, b"]\x00\x00\x80\x00"))
print(_lzma._encode_filter_properties({"id": lzma.FILTER_LZMA2, "preset": 6}), _lzma._decode_filter_properties(lzma.FILTER_DELTA, b"\x01"))
err(lzma.LZMACompressor, format=9)
err(lzma.LZMACompressor, format=lzma.FORMAT_ALONE, check=lzma.CHECK_CRC32)
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW)
err(lzma.LZMACompressor, preset=1, filters=[])
err(lzma.LZMADecompressor, format=lzma.FORMAT_RAW)
err(lzma.LZMADecompressor, format=lzma.FORMAT_XZ, filters=[{"id": lzma.FILTER_LZMA2}])
err(lzma.LZMADecompressor, memlimit=5, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "foo": 1}])
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW, filters=[{"xx": 1}])
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW, filters=[{"id": 12345}])
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW, filters=[1])
err(lzma.LZMACompressor, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 99}])
err(lzma.decompress, b"garbage!!garbage!!")
err(lzma.decompress, x[:-10])
c = lzma.LZMACompressor()
c.flush()
err(c.flush)
err(c.compress, b"")
d = lzma.LZMADecompressor()
print(d.decompress(x, max_length=5), d.needs_input, d.eof, len(d.decompress(b"")), d.eof)
f = io.BytesIO()
with lzma.LZMAFile(f, "wb") as w:
    w.write(data)
f.seek(0)
with lzma.LZMAFile(f) as r:
    print(r.read(10), len(r.read()))
