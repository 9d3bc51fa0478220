# OSError(errno, ...) picks the errno's subclass; errno/strerror/filename/filename2 attributes; str
class errno:  # Linux values (the errno module is another work package's)
    EPERM, ENOENT, ESRCH, EINTR, ECHILD, EAGAIN, EACCES, EEXIST, ENOTDIR, EISDIR, EPIPE = 1, 2, 3, 4, 10, 11, 13, 17, 20, 21, 32
    ECONNABORTED, ECONNRESET, ETIMEDOUT, ECONNREFUSED, EINPROGRESS = 103, 104, 110, 111, 115
for n in (errno.ENOENT, errno.EEXIST, errno.EACCES, errno.EPERM, errno.EAGAIN, errno.EPIPE, errno.ECONNREFUSED,
          errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EISDIR, errno.ENOTDIR, errno.EINTR,
          errno.ECHILD, errno.ESRCH, errno.EINPROGRESS, 9999):
    print(n, type(OSError(n, "msg")).__name__)
e = OSError(2, "No such file", "a.txt")
print(type(e).__name__, e.errno, e.strerror, e.filename, e.filename2, e.args)
print(str(e))
e2 = OSError(2, "No such file", "a.txt", None, "b.txt")
print(str(e2), e2.filename2, e2.args)
print(str(OSError(5, "io")), OSError(5, "io").args)
one = OSError("just text")
print(str(one), one.errno, one.strerror, one.filename)
print(str(OSError()), repr(OSError(1, "x")))
print(isinstance(OSError(2, "x"), FileNotFoundError), FileNotFoundError(2, "x").errno)
print(type(FileNotFoundError(13, "x")).__name__)
b = BlockingIOError(11, "again", 5)
print(b.characters_written, b.filename, str(b))
print(IOError is OSError, EnvironmentError is OSError)
try:
    raise OSError(errno.ENOENT, "gone", "/nope")
except FileNotFoundError as err:
    print("caught", err.filename)

class MyError(OSError):
    def __init__(self, path):
        super().__init__(errno.EACCES, "denied", path)
m = MyError("/root")
print(type(m).__name__, m.errno, m.filename, str(m))
e.errno = 99
print(e.errno, str(e))
