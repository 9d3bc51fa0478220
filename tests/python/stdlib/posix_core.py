# posix, the C-level module under os: files, directories, descriptors, stat, errors (CPython's behaviour).
import posix

base = "/tmp/posix_core_%d" % posix.getpid()
posix.mkdir(base)
try:
    posix.mkdir(base)
except FileExistsError as e:
    print("mkdir twice:", type(e).__name__, e.errno, e.strerror, e.filename == base)

path = base + "/f.txt"
fd = posix.open(path, posix.O_WRONLY | posix.O_CREAT | posix.O_TRUNC, 0o644)
print("inheritable:", posix.get_inheritable(fd))
print("write:", posix.write(fd, b"hello\nworld\n"), posix.write(fd, bytearray(b"!")))
posix.close(fd)
try:
    posix.close(fd)
except OSError as e:
    print("close twice:", type(e).__name__, e.errno)

st = posix.stat(path)
print(type(st).__name__, len(st), st.st_size, st[6], oct(st.st_mode & 0o777), st.st_mode >> 12)
print("ns ok:", st.st_mtime_ns // 10**9 == st[8] == int(st.st_mtime))
print("isinstance tuple:", isinstance(st, tuple), st.st_nlink, st.st_uid == posix.getuid())
fd = posix.open(path, posix.O_RDONLY)
print("read:", posix.read(fd, 5), posix.lseek(fd, 0, 1), posix.read(fd, 100), posix.read(fd, 10))
print("lseek end:", posix.lseek(fd, -2, 2), posix.read(fd, 10))
print("fstat same:", posix.fstat(fd).st_ino == st.st_ino, posix.isatty(fd))
posix.close(fd)

posix.mkdir(base + "/sub", 0o755)
posix.symlink(path, base + "/link")
print("readlink:", posix.readlink(base + "/link") == path, posix.readlink((base + "/link").encode()) == path.encode())
print("lstat link:", posix.lstat(base + "/link").st_mode >> 12, posix.stat(base + "/link").st_mode >> 12)
print("listdir:", sorted(posix.listdir(base)))
print("listdir bytes:", sorted(posix.listdir(base.encode())))
with posix.scandir(base) as it:
    for e in sorted(it, key=lambda e: e.name):
        print("entry:", repr(e), e.name, e.path == base + "/" + e.name, e.is_dir(), e.is_file(), e.is_symlink(), e.is_file(follow_symlinks=False))
posix.rename(path, base + "/g.txt")
posix.replace(base + "/g.txt", base + "/h.txt")
print("after rename:", sorted(posix.listdir(base)))
print("access:", posix.access(base + "/h.txt", posix.R_OK), posix.access(base + "/nope", posix.F_OK))
posix.chmod(base + "/h.txt", 0o600)
print("chmod:", oct(posix.stat(base + "/h.txt").st_mode & 0o777))
posix.utime(base + "/h.txt", (1000000000, 1234567890))
st = posix.stat(base + "/h.txt")
print("utime:", st.st_atime, st.st_mtime, st.st_mtime_ns)
posix.utime(base + "/h.txt", ns=(5, 1500000000))
print("utime ns:", posix.stat(base + "/h.txt").st_mtime_ns)

for bad in ("stat", "lstat", "unlink", "rmdir", "listdir", "readlink"):
    try:
        getattr(posix, bad)(base + "/missing")
    except OSError as e:
        print(bad, type(e).__name__, e.errno, e.strerror, e.filename == base + "/missing")
try:
    posix.rmdir(base)
except OSError as e:
    print("rmdir nonempty:", type(e).__name__, e.errno, e.strerror)
try:
    posix.open(base + "/sub", posix.O_WRONLY)
except IsADirectoryError as e:
    print("open dir for writing:", e.errno)
try:
    posix.stat(42.5)
except TypeError as e:
    print("TypeError:", e)
try:
    posix.stat("a\0b")
except ValueError as e:
    print("ValueError:", e)

class P:
    def __fspath__(self):
        return base + "/h.txt"
print("fspath:", posix.fspath(P()) == base + "/h.txt", posix.stat(P()).st_size, posix.fspath(b"x"))
try:
    posix.fspath(3)
except TypeError as e:
    print("fspath TypeError:", e)

cwd = posix.getcwd()
posix.chdir(base)
print("chdir:", posix.getcwd() == base, posix.getcwdb() == base.encode(), sorted(posix.listdir()))
posix.chdir(cwd)

r, w = posix.pipe()
print("pipe:", posix.get_inheritable(r), posix.get_blocking(r), posix.write(w, b"through a pipe"), posix.read(r, 100))
posix.set_blocking(r, False)
try:
    posix.read(r, 10)
except BlockingIOError as e:
    print("nonblocking read:", e.errno)
d = posix.dup(w)
d2 = posix.dup2(w, 50)
print("dup:", d > w, d2, posix.get_inheritable(d), posix.get_inheritable(d2))
for x in (r, w, d, d2):
    posix.close(x)

for n in (posix.unlink, posix.remove):
    pass
posix.unlink(base + "/link")
posix.remove(base + "/h.txt")
posix.rmdir(base + "/sub")
posix.rmdir(base)
print("cleaned:", posix.access(base, posix.F_OK))

print("ids:", posix.getpid() > 1, posix.getppid() > 0, type(posix.getuid()).__name__, isinstance(posix.getgroups(), list))
u = posix.uname()
print("uname:", type(u).__name__, len(u), u.sysname, u[0] == u.sysname)
print("environ:", type(posix.environ).__name__, all(type(k) is bytes and type(v) is bytes for k, v in posix.environ.items()))
posix.putenv("POSIX_CORE_TEST", "1")
posix.unsetenv("POSIX_CORE_TEST")
print("strerror:", posix.strerror(2), "|", posix.strerror(13))
print("urandom:", len(posix.urandom(16)), type(posix.urandom(0)).__name__)
print("cpu:", posix.cpu_count() >= 1, len(posix.sched_getaffinity(0)) >= 1)
print("umask:", posix.umask(0o22) == posix.umask(0o22))
t = posix.times()
print("times:", type(t).__name__, len(t), t.elapsed > 0)
print("wait macros:", posix.WIFEXITED(0x100), posix.WEXITSTATUS(0x300), posix.WIFSIGNALED(9), posix.WTERMSIG(9),
      posix.waitstatus_to_exitcode(0x200), posix.waitstatus_to_exitcode(15))
print("sysconf:", posix.sysconf("SC_PAGESIZE"), posix.sysconf_names["SC_CLK_TCK"], posix.sysconf("SC_CLK_TCK"))
try:
    posix.sysconf("SC_NOPE")
except ValueError as e:
    print("sysconf bad:", e)
# fork is exercised outside the corpus: the corpus runs in the test host's process, which must not fork.
print("consts:", posix.O_CREAT, posix.O_EXCL, posix.O_CLOEXEC, posix.WNOHANG, posix.F_OK, posix.X_OK)
print("error is OSError:", posix.error is OSError)
print("stat_result:", posix.stat_result((1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).st_mtime, posix.stat_result((1,) * 10).st_nlink)
