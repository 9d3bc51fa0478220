# posix: dir_fd for mkdir/unlink/rmdir/rename/replace/access/chmod/stat/open, scandir(fd) entries, stat_result's
# unnamed integer-time fields, and _have_functions (what os.supports_dir_fd is built from).
import posix

st = posix.stat("/")
print(type(st).n_fields, type(st).n_sequence_fields, type(st).n_unnamed_fields, len(st))
print(type(st).__match_args__)
print(repr(st).split("(")[0], [part.split("=")[0] for part in repr(st)[len("os.stat_result("):-1].split(", ")])
print(st[7] == int(st.st_atime), isinstance(st[8], int), isinstance(st.st_mtime, float), hasattr(st, "st_atime_int"))
print(sorted(st.__reduce__()[1][1]))

base = "/tmp/posix_dirfd_%d" % posix.getpid()
posix.mkdir(base)
dfd = posix.open(base, posix.O_RDONLY)
posix.mkdir("sub", 0o755, dir_fd=dfd)
fd = posix.open("f.txt", posix.O_WRONLY | posix.O_CREAT, 0o644, dir_fd=dfd)
posix.write(fd, b"12345")
posix.close(fd)
print(sorted(posix.listdir(base)), posix.stat("f.txt", dir_fd=dfd).st_size)
entries = sorted(posix.scandir(dfd), key=lambda e: e.name)
print([(e.name, e.path, e.is_dir(), e.is_file(follow_symlinks=False), e.stat(follow_symlinks=False).st_size if e.is_file() else None) for e in entries])
print(posix.access("f.txt", posix.R_OK, dir_fd=dfd), posix.access("nope", posix.F_OK, dir_fd=dfd), posix.access("f.txt", posix.W_OK, effective_ids=True, dir_fd=dfd))
posix.chmod("f.txt", 0o600, dir_fd=dfd)
print(oct(posix.stat(base + "/f.txt").st_mode & 0o777))
posix.rename("f.txt", "g.txt", src_dir_fd=dfd, dst_dir_fd=dfd)
print(sorted(posix.listdir(base)))
posix.replace("g.txt", "sub/h.txt", src_dir_fd=dfd, dst_dir_fd=dfd)
print(sorted(posix.listdir(base + "/sub")))
try:
    posix.rmdir("sub", dir_fd=dfd)
except OSError as e:
    print(type(e).__name__, e.errno, e.filename)
posix.unlink("sub/h.txt", dir_fd=dfd)
posix.rmdir("sub", dir_fd=dfd)
try:
    posix.unlink("sub", dir_fd=dfd)
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e.filename)
print(posix.listdir(base))
posix.close(dfd)
posix.rmdir(base)
have = set(posix._have_functions)
print(sorted(h for h in ("HAVE_UNLINKAT", "HAVE_MKDIRAT", "HAVE_RENAMEAT", "HAVE_FSTATAT", "HAVE_OPENAT", "HAVE_FDOPENDIR", "HAVE_FACCESSAT", "HAVE_FCHMODAT") if h in have))
