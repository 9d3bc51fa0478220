class StringIO:
    def __init__(self, initial_value='', newline='\n'):
        self._buf = initial_value
        self._pos = 0
        self.closed = False
    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"string argument expected, got '{type(s).__name__}'")
        if self._pos == len(self._buf):
            self._buf += s
        else:
            self._buf = self._buf[:self._pos] + s + self._buf[self._pos + len(s):]
        self._pos += len(s)
        return len(s)
    def writelines(self, lines):
        for l in lines:
            self.write(l)
    def getvalue(self):
        return self._buf
    def read(self, n=-1):
        if n is None or n < 0:
            r = self._buf[self._pos:]
        else:
            r = self._buf[self._pos:self._pos + n]
        self._pos += len(r)
        return r
    def readline(self):
        i = self._buf.find('\n', self._pos)
        end = len(self._buf) if i < 0 else i + 1
        r = self._buf[self._pos:end]
        self._pos = end
        return r
    def readlines(self):
        out = []
        while True:
            l = self.readline()
            if not l:
                return out
            out.append(l)
    def __iter__(self):
        return self
    def __next__(self):
        l = self.readline()
        if not l:
            raise StopIteration
        return l
    def seek(self, pos, whence=0):
        self._pos = pos if whence == 0 else (self._pos + pos if whence == 1 else len(self._buf) + pos)
        return self._pos
    def tell(self):
        return self._pos
    def truncate(self, size=None):
        if size is None:
            size = self._pos
        self._buf = self._buf[:size]
        return size
    def flush(self):
        pass
    def close(self):
        self.closed = True
    def __enter__(self):
        return self
    def __exit__(self, *a):
        self.close()

class BytesIO:
    def __init__(self, initial=b''):
        self._buf = bytearray(initial)
        self._pos = 0
    def write(self, b):
        self._buf[self._pos:self._pos] = b
        self._pos += len(b)
        return len(b)
    def getvalue(self):
        return bytes(self._buf)
    def read(self, n=-1):
        r = bytes(self._buf[self._pos:] if n < 0 else self._buf[self._pos:self._pos + n])
        self._pos += len(r)
        return r
    def __enter__(self):
        return self
    def __exit__(self, *a):
        pass

TextIOWrapper = StringIO
