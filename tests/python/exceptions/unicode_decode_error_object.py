# UnicodeDecodeError keeps its object as bytes whatever bytes-like object it was given (CPython copies a
# bytearray or memoryview); args keep what was passed.
for obj in (b'\xff', bytearray(b'\xff'), memoryview(b'\xffab')):
    e = UnicodeDecodeError('ascii', obj, 0, 1, 'ordinal not in range')
    print(type(e.object).__name__, repr(e.object), type(e.args[1]).__name__, str(e))
try:
    bytearray(b'a\xffb').decode('ascii')
except UnicodeDecodeError as e:
    print(repr(e.object), e.start, e.end, e.reason)
