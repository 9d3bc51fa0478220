# tempfile.mkstemp gives a real, new descriptor and a file only this user may use.
import os
import posix
import stat
import tempfile

fd, path = tempfile.mkstemp(suffix=".txt", prefix="inv")
print(type(fd).__name__, fd > 2)
name = os.path.basename(path)
print(name.startswith("inv"), name.endswith(".txt"), os.path.dirname(path) == tempfile.gettempdir())
print(oct(stat.S_IMODE(posix.stat(path).st_mode)))
posix.write(fd, b"hello")
posix.close(fd)
with open(path) as f:
    print(f.read())
fd2, path2 = tempfile.mkstemp()
print(fd2 > 2, path2 != path)
posix.close(fd2)
posix.remove(path2)
posix.remove(path)
print(os.path.exists(path))
