# pwd, grp, fcntl and resource: the small operating-system modules (CPython's behaviour).
import fcntl
import grp
import posix
import pwd
import resource

root = pwd.getpwuid(0)
print(root, type(root).__name__, root.pw_name, root[2], len(root))
print(pwd.getpwnam("root") == root, any(p.pw_uid == 0 for p in pwd.getpwall()))
for bad in (lambda: pwd.getpwnam("no-such-user-x"), lambda: pwd.getpwuid(987654)):
    try:
        bad()
    except KeyError as e:
        print("KeyError:", e)
try:
    pwd.getpwuid("0")
except TypeError as e:
    print("TypeError:", e)
g = grp.getgrgid(0)
print(g.gr_name, g.gr_gid, type(g.gr_mem).__name__, grp.getgrnam("root").gr_gid, len(grp.getgrall()) > 0)
for bad in (lambda: grp.getgrnam("no-such-group-x"), lambda: grp.getgrgid(987654)):
    try:
        bad()
    except KeyError as e:
        print("KeyError:", e)

r, w = posix.pipe()
flags = fcntl.fcntl(r, fcntl.F_GETFL)
fcntl.fcntl(r, fcntl.F_SETFL, flags | posix.O_NONBLOCK)
print("nonblocking:", bool(fcntl.fcntl(r, fcntl.F_GETFL) & posix.O_NONBLOCK), posix.get_blocking(r))
print("cloexec:", fcntl.fcntl(w, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
path = "/tmp/fcntl_%d" % posix.getpid()
fd = posix.open(path, posix.O_RDWR | posix.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
fcntl.flock(fd, fcntl.LOCK_UN)
fcntl.lockf(fd, fcntl.LOCK_EX)
fcntl.lockf(fd, fcntl.LOCK_UN)
print("locks ok")
for x in (r, w, fd):
    posix.close(x)
posix.unlink(path)
try:
    fcntl.fcntl(fd, fcntl.F_GETFD)
except OSError as e:
    print("closed fd:", type(e).__name__, e.errno)
print(fcntl.LOCK_SH, fcntl.LOCK_EX, fcntl.LOCK_NB, fcntl.LOCK_UN, fcntl.F_GETFL, fcntl.F_DUPFD_CLOEXEC)

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
print("rlimit:", soft > 0, hard >= soft, resource.RLIM_INFINITY)
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
u = resource.getrusage(resource.RUSAGE_SELF)
print(type(u).__name__, len(u), u.ru_maxrss > 0, type(u.ru_utime).__name__)
print(resource.getpagesize(), resource.RLIMIT_STACK, resource.RUSAGE_CHILDREN)
try:
    resource.getrlimit(99)
except ValueError as e:
    print("ValueError:", e)
