# struct reads any bytes-like object, memoryview included (unpack, unpack_from, iter_unpack); a format with an
# embedded NUL is refused as CPython does; buffer-size messages do not overflow at huge offsets.
import struct
import sys

data = struct.pack('>IhB', 7, -2, 255)
print(struct.unpack('>IhB', memoryview(data)))
print(struct.unpack_from('>h', memoryview(data), 4))
print(struct.unpack('>I', memoryview(b'\x00' + data)[1:5]))
print(list(struct.Struct('>h').iter_unpack(memoryview(b'\x00\x01\x00\x02\xff\xff'))))
print(struct.unpack('<H', memoryview(bytearray(b'\x01\x02'))))
for fmt in '\0', '2\0i', b'\0':
    try:
        struct.calcsize(fmt)
    except struct.error as e:
        print('struct.error', e)
try:
    struct.pack_into('<I', bytearray(10), sys.maxsize, 1)
except struct.error as e:
    print('struct.error', e)
try:
    struct.unpack_from('<I', b'x' * 10, sys.maxsize)
except struct.error as e:
    print('struct.error', e)
