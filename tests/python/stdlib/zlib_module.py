# zlib over libz: one-shot and streaming, wbits, zdict, flush modes, max_length, errors.
import zlib
def t(f,*a,**k):
    try: print(repr(f(*a,**k)))
    except Exception as e: print(type(e).__name__, e)
t(zlib.decompress, b'abc'); t(zlib.decompress, zlib.compress(b'hello')[:-3]); t(zlib.compress, b'x', 12); t(zlib.compressobj, 12); t(zlib.decompressobj, 99); t(zlib.decompress, zlib.compress(b'hello')+b'junk'); t(zlib.decompress, b'')
d=zlib.decompressobj(); print(d.decompress(zlib.compress(b'hello')+b'junk'), d.unused_data, d.eof, d.unconsumed_tail)
d=zlib.decompressobj(); print(d.decompress(zlib.compress(b'hello'*10), 7), d.unconsumed_tail[:5], d.eof, d.flush(), d.eof)
t(zlib.decompress, zlib.compress(b'x'), 15, -1)
c=zlib.compressobj(); print(c.compress(b'abc'), c.flush(zlib.Z_SYNC_FLUSH), c.flush()); t(c.compress, b'x'); t(c.flush)
print(sorted(x for x in dir(zlib) if not x.startswith('__')))
t(zlib.decompressobj().decompress, b'x', -1)
t(zlib.compress, 'str')
print(zlib.crc32(b'abc', 1<<40), zlib.adler32(b'abc'), zlib.adler32(b'abc', 5), zlib.crc32(b'x'*100000), zlib.adler32(b'\xff'*100000))
c=zlib.compressobj(zdict=b'hello'); x=c.compress(b'hello hello')+c.flush(); t(zlib.decompress, x); print(zlib.decompressobj(zdict=b'hello').decompress(x))
data = bytes(range(256)) * 500
for lvl in (0, 1, 6, 9):
    for wb in (15, -15, 31, 9):
        try:
            z = zlib.compress(data, lvl, wb); print(lvl, wb, len(z), zlib.crc32(z), zlib.decompress(z, wb) == data)
        except Exception as e: print(type(e).__name__, e)
print(zlib.decompress(zlib.compress(data, 9, 31), 47) == data)
c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FILTERED)
out = b''.join(c.compress(data[i:i+1000]) for i in range(0, len(data), 1000)) + c.flush()
print(len(out), zlib.crc32(out))
d = zlib.decompressobj(-15); res = b''
for i in range(0, len(out), 777):
    res += d.decompress(out[i:i+777])
res += d.flush(); print(res == data, d.eof, d.unused_data)
d = zlib.decompressobj(-15); res = d.decompress(out, 1000); n=0
while d.unconsumed_tail and n < 1000:
    res += d.decompress(d.unconsumed_tail, 1000); n += 1
print(len(res), res == data[:len(res)], d.eof)
c = zlib.compressobj(); c.compress(b'abc'); c2 = c.copy(); print(c.flush() == c2.flush())
d = zlib.decompressobj(); d.decompress(zlib.compress(b'abc')[:4]); d2 = d.copy(); print(d2.decompress(zlib.compress(b'abc')[4:]))
for mode in (zlib.Z_NO_FLUSH, zlib.Z_PARTIAL_FLUSH, zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_BLOCK):
    c = zlib.compressobj(); print(mode, c.compress(b'abcabc'), c.flush(mode), c.flush())
t(zlib.compressobj, zdict='x')
t(zlib.decompress, zlib.compress(b'q'), bufsize=1)
t(zlib.decompressobj().flush, 0)
