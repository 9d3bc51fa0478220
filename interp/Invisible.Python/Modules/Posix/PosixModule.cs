using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules.Posix;

/// <summary>
/// <c>posix</c>, CPython's Modules/posixmodule.c: the system calls as Python functions (Lib's os.py builds <c>os</c> on
/// it). Each function parses its arguments as CPython's Argument Clinic code does (names, defaults, keyword-only
/// parameters), calls libc (<see cref="Libc"/>) and turns a failure into OSError with the errno's subclass
/// (<see cref="Fs.Error"/>). Paths are str, bytes or os.PathLike (<see cref="Fs.Path"/>).
/// </summary>
public static unsafe class PosixModule
{
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, O_CLOEXEC = 0x80000;

    public static readonly StructSeq StatResult = new("os", "stat_result", new string?[]
    {
        // the integer times (7-9) are unnamed fields, as CPython's: by index only
        "st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", null, null, null,
        "st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blksize", "st_blocks", "st_rdev",
    }, 10, StatFromInts);
    public static readonly StructSeq UnameResult = new("posix", "uname_result", new[] { "sysname", "nodename", "release", "version", "machine" }, 5);
    public static readonly StructSeq TimesResult = new("posix", "times_result", new[] { "user", "system", "children_user", "children_system", "elapsed" }, 5);
    public static readonly StructSeq TerminalSize = new("os", "terminal_size", new[] { "columns", "lines" }, 2);

    private static PyObject None => PyNone.Instance;

    /// <summary>stat_result(seq) without the float times: CPython fills st_atime/st_mtime/st_ctime from the int fields.</summary>
    private static void StatFromInts(PyObject[] all)
    {
        for (int i = 0; i < 3; i++) if (all[10 + i] == PyNone.Instance) all[10 + i] = all[7 + i];
    }

    // ---------------- argument helpers ----------------

    private static PyObject Req(ReadOnlySpan<PyObject> a, PyStr[]? k, int i, string name, string func)
        => Ops.Arg(a, k, i, name) ?? throw Ops.TypeError($"{func}() missing required argument '{name}' (pos {i + 1})");

    private static void MaxPos(ReadOnlySpan<PyObject> a, PyStr[]? k, int max, string func)
    {
        int n = Ops.PosCount(a, k);
        if (n > max) throw Ops.TypeError($"{func}() takes at most {max} argument{(max == 1 ? "" : "s")} ({n} given)");
    }

    /// <summary>Keyword-only dir_fd: None (AT_FDCWD) or a descriptor.</summary>
    private static int DirFd(ReadOnlySpan<PyObject> a, PyStr[]? k, string name = "dir_fd")
    {
        var v = KwOnly(a, k, name);
        return v == null || v == PyNone.Instance ? AT_FDCWD : Fs.Fd(v);
    }

    private static PyObject? KwOnly(ReadOnlySpan<PyObject> a, PyStr[]? k, string name)
    {
        if (k == null) return null;
        int npos = a.Length - k.Length;
        for (int j = 0; j < k.Length; j++) if (k[j].Value == name) return a[npos + j];
        return null;
    }

    private static bool Flag(ReadOnlySpan<PyObject> a, PyStr[]? k, string name, bool dflt)
    {
        var v = KwOnly(a, k, name);
        return v == null ? dflt : Ops.IsTrue(v);
    }

    /// <summary>Before a blocking call: give the interpreter lock up, so other Python threads (those of
    /// <c>_thread</c> too, not only C callbacks) run meanwhile (<see cref="Reclaim"/> takes it back; no Python object
    /// may be touched in between).</summary>
    internal static ThreadState? Lend()
    {
        var ts = ThreadState.CurrentOrNull;
        if (ts != null)
        {
            long token = ts.Interp.Lock.Detach(ts);
            if (token != 0) ts.DetachToken = token;
        }
        return ts;
    }

    internal static void Reclaim(ThreadState? ts)
    {
        if (ts == null || ts.DetachToken == 0) return;
        long token = ts.DetachToken;
        ts.DetachToken = 0;
        ts.Interp.Lock.Reattach(ts, token);
    }

    // ---------------- stat ----------------

    private static PyObject TimeFloat(long sec, long nsec) => new PyFloat(sec + nsec * 1e-9);
    private static PyObject TimeNs(long sec, long nsec) => PyInt.Get(new System.Numerics.BigInteger(sec) * 1000000000 + nsec);

    internal static PyTuple MakeStat(in Libc.Stat st)
    {
        return StatResult.Make(new PyObject[]
        {
            PyInt.Get((long)st.Mode), PyInt.Get(new System.Numerics.BigInteger(st.Ino)), PyInt.Get(new System.Numerics.BigInteger(st.Dev)),
            PyInt.Get((long)st.Nlink), PyInt.Get((long)st.Uid), PyInt.Get((long)st.Gid), PyInt.Get(st.Size),
            PyInt.Get(st.Atime), PyInt.Get(st.Mtime), PyInt.Get(st.Ctime),
            TimeFloat(st.Atime, st.AtimeNsec), TimeFloat(st.Mtime, st.MtimeNsec), TimeFloat(st.Ctime, st.CtimeNsec),
            TimeNs(st.Atime, st.AtimeNsec), TimeNs(st.Mtime, st.MtimeNsec), TimeNs(st.Ctime, st.CtimeNsec),
            PyInt.Get(st.Blksize), PyInt.Get(st.Blocks), PyInt.Get(new System.Numerics.BigInteger(st.Rdev)),
        });
    }

    /// <summary>stat/lstat of a path or (when allowed) a descriptor; the OSError names the path.</summary>
    private static PyObject DoStat(PyObject p, int dirFd, bool follow, string func)
    {
        Libc.Stat st;
        if (p is PyInt)
        {
            int fd = Fs.Int(p);
            if (Libc.fstat(fd, &st) != 0) throw Fs.LastError();
            return MakeStat(st);
        }
        var path = Fs.Path(p, func, "path", allowFd: true);
        int r;
        fixed (byte* z = path.Z)
            r = dirFd == AT_FDCWD && follow ? Libc.stat(z, &st) : Libc.fstatat(dirFd, z, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
        if (r != 0) throw Fs.LastError(path.Original);
        return MakeStat(st);
    }

    /// <summary>st_mode of a path, or -1 (errno kept) when stat fails: for DirEntry and the is* helpers.</summary>
    internal const int AtFdCwd = AT_FDCWD;

    internal static bool TryStat(byte[] z, bool follow, out Libc.Stat st, int dirFd = AT_FDCWD)
    {
        fixed (byte* p = z)
        fixed (Libc.Stat* s = &st)
            return (dirFd != AT_FDCWD ? Libc.fstatat(dirFd, p, s, follow ? 0 : AT_SYMLINK_NOFOLLOW) : follow ? Libc.stat(p, s) : Libc.lstat(p, s)) == 0;
    }

    // ---------------- the module ----------------

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("posix");
        m.Add("error", PyBaseException.OSErrorType);
        m.Add("stat_result", StatResult.Type);
        m.Add("uname_result", UnameResult.Type);
        m.Add("times_result", TimesResult.Type);
        m.Add("terminal_size", TerminalSize.Type);
        m.Add("environ", MakeEnviron());
        m.Add("DirEntry", DirEntry.TypeObj);
        AddConstants(m);

        m.AddFn("stat", (a, k) =>
        {
            MaxPos(a, k, 1, "stat");
            return DoStat(Req(a, k, 0, "path", "stat"), DirFd(a, k), Flag(a, k, "follow_symlinks", true), "stat");
        });
        m.AddFn("lstat", (a, k) =>
        {
            MaxPos(a, k, 1, "lstat");
            var p = Req(a, k, 0, "path", "lstat");
            if (p is PyInt) throw Ops.TypeError($"lstat: path should be string, bytes or os.PathLike, not int");
            return DoStat(p, DirFd(a, k), false, "lstat");
        });
        m.AddFn("fstat", (a, k) =>
        {
            var fd = Fs.Int(Req(a, k, 0, "fd", "fstat"));
            Libc.Stat st;
            if (Libc.fstat(fd, &st) != 0) throw Fs.LastError();
            return MakeStat(st);
        });
        m.AddFn("open", (a, k) =>
        {
            MaxPos(a, k, 3, "open");
            var path = Fs.Path(Req(a, k, 0, "path", "open"), "open");
            int flags = Fs.Int(Req(a, k, 1, "flags", "open")) | O_CLOEXEC; // PEP 446: not inheritable
            int mode = Ops.Arg(a, k, 2, "mode") is PyObject mo ? Fs.Int(mo) : 0x1FF;
            int dirFd = DirFd(a, k);
            while (true)
            {
                int fd;
                var ts = Lend();
                fixed (byte* z = path.Z) fd = Libc.openat(dirFd, z, flags, mode);
                Reclaim(ts);
                if (fd >= 0) return PyInt.Get(fd);
                if (Fs.Errno == 4) { CheckSignals(); continue; }
                throw Fs.LastError(path.Original);
            }
        });
        m.AddFn("close", (a, k) =>
        {
            int fd = Fs.Int(Req(a, k, 0, "fd", "close"));
            if (Libc.close(fd) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("closerange", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "closerange");
            int lo = Fs.Int(a[0]), hi = Fs.Int(a[1]);
            for (int fd = Math.Max(lo, 0); fd < hi; fd++) Libc.close(fd);
            return None;
        });
        m.AddFn("read", (a, k) =>
        {
            Ops.NoKw(k, "read");
            Ops.ArgCount(a, 2, 2, "read");
            int fd = Fs.Int(a[0]);
            long n = Fs.Long(a[1]);
            if (n < 0) throw Fs.Error(22);
            return ReadFd(fd, n);
        });
        m.AddFn("write", (a, k) =>
        {
            Ops.NoKw(k, "write");
            Ops.ArgCount(a, 2, 2, "write");
            int fd = Fs.Int(a[0]);
            var data = Buffer(a[1]);
            return PyInt.Get(WriteFd(fd, data));
        });
        m.AddFn("pread", (a, k) =>
        {
            Ops.ArgCount(a, 3, 3, "pread");
            int fd = Fs.Int(a[0]); long n = Fs.Long(a[1]), off = Fs.Long(a[2]);
            if (n < 0) throw Fs.Error(22);
            var buf = new byte[n];
            nint got;
            fixed (byte* b = buf) got = Libc.pread(fd, b, (nint)n, off);
            if (got < 0) throw Fs.LastError();
            return new PyBytes(got == n ? buf : buf.AsSpan(0, (int)got).ToArray());
        });
        m.AddFn("pwrite", (a, k) =>
        {
            Ops.ArgCount(a, 3, 3, "pwrite");
            int fd = Fs.Int(a[0]); var data = Buffer(a[1]); long off = Fs.Long(a[2]);
            nint r;
            fixed (byte* b = data) r = Libc.pwrite(fd, b, data.Length, off);
            if (r < 0) throw Fs.LastError();
            return PyInt.Get((long)r);
        });
        m.AddFn("lseek", (a, k) =>
        {
            Ops.ArgCount(a, 3, 3, "lseek");
            int fd = Fs.Int(a[0]); long pos = Fs.Long(a[1]); int how = Fs.Int(a[2]);
            long r = Libc.lseek(fd, pos, how);
            if (r < 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("pipe", (a, k) => Pipe(O_CLOEXEC));
        m.AddFn("pipe2", (a, k) => { Ops.ArgCount(a, 1, 1, "pipe2"); return Pipe(Fs.Int(a[0])); });
        m.AddFn("dup", (a, k) =>
        {
            int fd = Fs.Int(Req(a, k, 0, "fd", "dup"));
            int r = Libc.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
            if (r < 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("dup2", (a, k) =>
        {
            int fd = Fs.Int(Req(a, k, 0, "fd", "dup2")), fd2 = Fs.Int(Req(a, k, 1, "fd2", "dup2"));
            bool inheritable = Ops.Arg(a, k, 2, "inheritable") is not PyObject i || Ops.IsTrue(i);
            int r = fd == fd2 || inheritable ? Libc.dup2(fd, fd2) : Libc.dup3(fd, fd2, O_CLOEXEC);
            if (r < 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("fsync", (a, k) => { if (Libc.fsync(Fs.Fd(Req(a, k, 0, "fd", "fsync"))) != 0) throw Fs.LastError(); return None; });
        m.AddFn("fdatasync", (a, k) => { if (Libc.fdatasync(Fs.Fd(Req(a, k, 0, "fd", "fdatasync"))) != 0) throw Fs.LastError(); return None; });
        m.AddFn("sync", (a, k) => { Libc.sync(); return None; });
        m.AddFn("ftruncate", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "ftruncate");
            if (Libc.ftruncate(Fs.Int(a[0]), Fs.Long(a[1])) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("truncate", (a, k) =>
        {
            var p = Req(a, k, 0, "path", "truncate");
            long len = Fs.Long(Req(a, k, 1, "length", "truncate"));
            if (p is PyInt) { if (Libc.ftruncate(Fs.Int(p), len) != 0) throw Fs.LastError(); return None; }
            var path = Fs.Path(p, "truncate", "path", true);
            fixed (byte* z = path.Z) if (Libc.truncate(z, len) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        m.AddFn("isatty", (a, k) => { Ops.ArgCount(a, 1, 1, "isatty"); return PyBool.Of(Libc.isatty(Fs.Int(a[0])) == 1); });
        m.AddFn("ttyname", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "ttyname");
            var buf = stackalloc byte[4096];
            int r = Libc.ttyname_r(Fs.Int(a[0]), buf, 4096);
            if (r != 0) throw Fs.Error(r);
            return Fs.DecodeStr(new ReadOnlySpan<byte>(buf, IndexOfNul(buf, 4096)));
        });
        m.AddFn("listdir", (a, k) =>
        {
            MaxPos(a, k, 1, "listdir");
            var p = Ops.Arg(a, k, 0, "path");
            return ListDir(p == null || p == PyNone.Instance ? null : p);
        });
        m.AddFn("scandir", (a, k) =>
        {
            MaxPos(a, k, 1, "scandir");
            var p = Ops.Arg(a, k, 0, "path");
            return ScandirIterator.Open(p == null || p == PyNone.Instance ? null : p);
        });
        m.AddFn("mkdir", (a, k) =>
        {
            MaxPos(a, k, 2, "mkdir");
            var path = Fs.Path(Req(a, k, 0, "path", "mkdir"), "mkdir");
            int mode = Ops.Arg(a, k, 1, "mode") is PyObject mo ? Fs.Int(mo) : 0x1FF;
            int dirFd = DirFd(a, k);
            fixed (byte* z = path.Z) if (Libc.mkdirat(dirFd, z, mode) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        // dir_fd (keyword-only, as CPython's): the *at() calls, with AT_FDCWD when it is None
        m.AddFn("rmdir", (a, k) => { int dfd = DirFd(a, k); return PathCall(a, k, "rmdir", z => Libc.unlinkat(dfd, z, AT_REMOVEDIR)); });
        m.AddFn("unlink", (a, k) => { int dfd = DirFd(a, k); return PathCall(a, k, "unlink", z => Libc.unlinkat(dfd, z, 0)); });
        m.AddFn("remove", (a, k) => { int dfd = DirFd(a, k); return PathCall(a, k, "remove", z => Libc.unlinkat(dfd, z, 0)); });
        m.AddFn("rename", (a, k) =>
        {
            int sfd = DirFd(a, k, "src_dir_fd"), dfd = DirFd(a, k, "dst_dir_fd");
            return TwoPaths(a, k, "rename", "src", "dst", (x, y) => Libc.renameat(sfd, x, dfd, y));
        });
        m.AddFn("replace", (a, k) =>
        {
            int sfd = DirFd(a, k, "src_dir_fd"), dfd = DirFd(a, k, "dst_dir_fd");
            return TwoPaths(a, k, "replace", "src", "dst", (x, y) => Libc.renameat(sfd, x, dfd, y));
        });
        m.AddFn("link", (a, k) => TwoPaths(a, k, "link", "src", "dst", (x, y) => Libc.link(x, y)));
        m.AddFn("symlink", (a, k) => TwoPaths(a, k, "symlink", "src", "dst", (x, y) => Libc.symlink(x, y)));
        m.AddFn("readlink", (a, k) =>
        {
            MaxPos(a, k, 1, "readlink");
            var path = Fs.Path(Req(a, k, 0, "path", "readlink"), "readlink");
            var buf = new byte[4096];
            nint n;
            fixed (byte* z = path.Z) fixed (byte* b = buf) n = Libc.readlink(z, b, buf.Length);
            if (n < 0) throw Fs.LastError(path.Original);
            return Fs.Name(buf.AsSpan(0, (int)n), path.AsBytes);
        });
        m.AddFn("chmod", (a, k) =>
        {
            MaxPos(a, k, 2, "chmod");
            var p = Req(a, k, 0, "path", "chmod");
            int mode = Fs.Int(Req(a, k, 1, "mode", "chmod"));
            if (p is PyInt) { if (Libc.fchmod(Fs.Int(p), mode) != 0) throw Fs.LastError(); return None; }
            var path = Fs.Path(p, "chmod", "path", true);
            bool follow = Flag(a, k, "follow_symlinks", true);
            int dirFd = DirFd(a, k);
            fixed (byte* z = path.Z)
                if ((follow && dirFd == AT_FDCWD ? Libc.chmod(z, mode) : Libc.fchmodat(dirFd, z, mode, follow ? 0 : AT_SYMLINK_NOFOLLOW)) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        m.AddFn("fchmod", (a, k) =>
        {
            if (Libc.fchmod(Fs.Int(Req(a, k, 0, "fd", "fchmod")), Fs.Int(Req(a, k, 1, "mode", "fchmod"))) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("chown", (a, k) =>
        {
            var p = Req(a, k, 0, "path", "chown");
            int uid = Fs.Int(Req(a, k, 1, "uid", "chown")), gid = Fs.Int(Req(a, k, 2, "gid", "chown"));
            if (p is PyInt) { if (Libc.fchown(Fs.Int(p), uid, gid) != 0) throw Fs.LastError(); return None; }
            var path = Fs.Path(p, "chown", "path", true);
            bool follow = Flag(a, k, "follow_symlinks", true);
            fixed (byte* z = path.Z)
                if ((follow ? Libc.chown(z, uid, gid) : Libc.lchown(z, uid, gid)) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        m.AddFn("utime", (a, k) => Utime(a, k));
        m.AddFn("access", (a, k) =>
        {
            MaxPos(a, k, 2, "access");
            var path = Fs.Path(Req(a, k, 0, "path", "access"), "access");
            int mode = Fs.Int(Req(a, k, 1, "mode", "access"));
            int dirFd = DirFd(a, k);
            int flags = (Flag(a, k, "effective_ids", false) ? 0x200 /* AT_EACCESS */ : 0) | (Flag(a, k, "follow_symlinks", true) ? 0 : AT_SYMLINK_NOFOLLOW);
            fixed (byte* z = path.Z) return PyBool.Of((dirFd == AT_FDCWD && flags == 0 ? Libc.access(z, mode) : Libc.faccessat(dirFd, z, mode, flags)) == 0);
        });
        m.AddFn("chdir", (a, k) =>
        {
            var p = Req(a, k, 0, "path", "chdir");
            if (p is PyInt) { if (Libc.fchdir(Fs.Int(p)) != 0) throw Fs.LastError(); return None; }
            var path = Fs.Path(p, "chdir", "path", true);
            fixed (byte* z = path.Z) if (Libc.chdir(z) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        m.AddFn("fchdir", (a, k) => { if (Libc.fchdir(Fs.Fd(Req(a, k, 0, "fd", "fchdir"))) != 0) throw Fs.LastError(); return None; });
        m.AddFn("getcwd", (a, k) => { Ops.ArgCount(a, 0, 0, "getcwd"); return Fs.DecodeStr(GetCwd()); });
        m.AddFn("getcwdb", (a, k) => { Ops.ArgCount(a, 0, 0, "getcwdb"); return new PyBytes(GetCwd()); });
        m.AddFn("putenv", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "putenv");
            var name = EnvArg(a[0], "putenv");
            var value = EnvArg(a[1], "putenv");
            if (name.Length <= 1 || Array.IndexOf(name, (byte)'=') >= 0) throw Ops.ValueError("illegal environment variable name");
            fixed (byte* n = name) fixed (byte* v = value) if (Libc.setenv(n, v, 1) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("unsetenv", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "unsetenv");
            var name = EnvArg(a[0], "unsetenv");
            if (name.Length <= 1 || Array.IndexOf(name, (byte)'=') >= 0) throw Ops.ValueError("illegal environment variable name");
            fixed (byte* n = name) if (Libc.unsetenv(n) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("getpid", (a, k) => PyInt.Get(Libc.getpid()));
        m.AddFn("getppid", (a, k) => PyInt.Get(Libc.getppid()));
        m.AddFn("getuid", (a, k) => PyInt.Get((long)(uint)Libc.getuid()));
        m.AddFn("geteuid", (a, k) => PyInt.Get((long)(uint)Libc.geteuid()));
        m.AddFn("getgid", (a, k) => PyInt.Get((long)(uint)Libc.getgid()));
        m.AddFn("getegid", (a, k) => PyInt.Get((long)(uint)Libc.getegid()));
        m.AddFn("getpgrp", (a, k) => PyInt.Get(Libc.getpgrp()));
        m.AddFn("getpgid", (a, k) => { int r = Libc.getpgid(Fs.Int(Req(a, k, 0, "pid", "getpgid"))); if (r < 0) throw Fs.LastError(); return PyInt.Get(r); });
        m.AddFn("setpgid", (a, k) => { Ops.ArgCount(a, 2, 2, "setpgid"); if (Libc.setpgid(Fs.Int(a[0]), Fs.Int(a[1])) != 0) throw Fs.LastError(); return None; });
        m.AddFn("getsid", (a, k) => { Ops.ArgCount(a, 1, 1, "getsid"); int r = Libc.getsid(Fs.Int(a[0])); if (r < 0) throw Fs.LastError(); return PyInt.Get(r); });
        m.AddFn("setsid", (a, k) => { if (Libc.setsid() < 0) throw Fs.LastError(); return None; });
        m.AddFn("getgroups", (a, k) =>
        {
            int n = Libc.getgroups(0, null);
            if (n < 0) throw Fs.LastError();
            var g = new int[n];
            fixed (int* p = g) n = Libc.getgroups(n, p);
            if (n < 0) throw Fs.LastError();
            var l = new PyList();
            for (int i = 0; i < n; i++) l.Append(PyInt.Get((long)(uint)g[i]));
            return l;
        });
        m.AddFn("getlogin", (a, k) =>
        {
            nint p = Libc.getlogin();
            if (p == 0) { int e = Fs.Errno; throw e != 0 ? Fs.Error(e) : Ops.OSError("unable to determine login name"); }
            return PyStr.Of(Marshal.PtrToStringUTF8(p) ?? "");
        });
        m.AddFn("kill", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "kill");
            if (Libc.kill(Fs.Int(a[0]), Fs.Int(a[1])) != 0) throw Fs.LastError();
            CheckSignals();
            return None;
        });
        m.AddFn("killpg", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "killpg");
            if (Libc.killpg(Fs.Int(a[0]), Fs.Int(a[1])) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("uname", (a, k) =>
        {
            var buf = stackalloc byte[65 * 6];
            if (Libc.uname(buf) != 0) throw Fs.LastError();
            var f = new PyObject[5];
            for (int i = 0; i < 5; i++) f[i] = Fs.DecodeStr(new ReadOnlySpan<byte>(buf + 65 * i, IndexOfNul(buf + 65 * i, 65)));
            return UnameResult.Make(f);
        });
        m.AddFn("urandom", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "urandom");
            long n = Fs.Long(a[0]);
            if (n < 0) throw Ops.ValueError("negative argument not allowed");
            var b = new byte[n];
            System.Security.Cryptography.RandomNumberGenerator.Fill(b);
            return new PyBytes(b);
        });
        m.AddFn("cpu_count", (a, k) =>
        {
            long n = Libc.sysconf(84 /* _SC_NPROCESSORS_ONLN */);
            return n < 1 ? None : PyInt.Get(n);
        });
        m.AddFn("sched_getaffinity", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "sched_getaffinity");
            var mask = stackalloc byte[128];
            if (Libc.sched_getaffinity(Fs.Int(a[0]), 128, mask) != 0) throw Fs.LastError();
            var s = new PySet(false);
            for (int i = 0; i < 1024; i++) if ((mask[i >> 3] & (1 << (i & 7))) != 0) s.Add(PyInt.Get(i));
            return s;
        });
        m.AddFn("get_terminal_size", (a, k) =>
        {
            int fd = a.Length > 0 ? Fs.Int(a[0]) : 1;
            ushort* ws = stackalloc ushort[4];
            if (Libc.ioctl(fd, 0x5413 /* TIOCGWINSZ */, ws) != 0) throw Fs.LastError();
            return TerminalSize.Make(new PyObject[] { PyInt.Get((int)ws[1]), PyInt.Get((int)ws[0]) });
        });
        m.AddFn("umask", (a, k) => { Ops.ArgCount(a, 1, 1, "umask"); return PyInt.Get(Libc.umask(Fs.Int(a[0]))); });
        m.AddFn("times", (a, k) =>
        {
            long* t = stackalloc long[4];
            long c = Libc.times(t);
            if (c == -1) throw Fs.LastError();
            double hz = Libc.sysconf(2 /* _SC_CLK_TCK */);
            return TimesResult.Make(new PyObject[] { new PyFloat(t[0] / hz), new PyFloat(t[1] / hz), new PyFloat(t[2] / hz), new PyFloat(t[3] / hz), new PyFloat(c / hz) });
        });
        m.AddFn("nice", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "nice");
            Marshal.SetLastPInvokeError(0);
            int r = Libc.nice(Fs.Int(a[0]));
            if (r == -1 && Fs.Errno != 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("waitpid", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "waitpid");
            int pid = Fs.Int(a[0]), options = Fs.Int(a[1]);
            while (true)
            {
                int status = 0;
                var ts = Lend();
                int r = Libc.waitpid(pid, &status, options);
                Reclaim(ts);
                if (r >= 0) return PyTuple.Of(PyInt.Get(r), PyInt.Get(status));
                if (Fs.Errno == 4) { CheckSignals(); continue; }
                throw Fs.LastError();
            }
        });
        m.AddFn("wait", (a, k) =>
        {
            while (true)
            {
                int status = 0;
                var ts = Lend();
                int r = Libc.waitpid(-1, &status, 0);
                Reclaim(ts);
                if (r >= 0) return PyTuple.Of(PyInt.Get(r), PyInt.Get(status));
                if (Fs.Errno == 4) { CheckSignals(); continue; }
                throw Fs.LastError();
            }
        });
        // CPython's os_system_impl: the command through PyUnicode_FSConverter (str, bytes or os.PathLike), C's system()
        // with the interpreter lock lent (the shell may run for long), its wait status returned as it is.
        m.AddFn("system", (a, k) =>
        {
            int positional = a.Length - (k?.Length ?? 0);
            PyObject? command = KwOnly(a, k, "command");
            int given = positional + (command != null ? 1 : 0);
            if (given == 0) throw Ops.TypeError("system() missing required argument 'command' (pos 1)");
            if (given > 1) throw Ops.TypeError($"system() takes at most 1 argument ({given} given)");
            if (k != null)
                foreach (var name in k)
                    if (name.Value != "command") throw Ops.TypeError($"'{name.Value}' is an invalid keyword argument for system()");
            var text = Fs.FsPath(command ?? a[0]);
            byte[] z;
            if (text is PyStr s) z = Fs.Encode(s.Value, true);
            else
            {
                var span = ((PyBytes)text).Span;
                z = new byte[span.Length + 1];
                span.CopyTo(z);
            }
            if (Array.IndexOf(z, (byte)0) != z.Length - 1) throw Ops.ValueError("embedded null byte");
            int status;
            var ts = Lend();
            fixed (byte* c = z) status = Libc.system(c);
            Reclaim(ts);
            return PyInt.Get(status);
        });
        m.AddFn("waitstatus_to_exitcode", (a, k) =>
        {
            int s = Fs.Int(Req(a, k, 0, "status", "waitstatus_to_exitcode"));
            if ((s & 0x7f) == 0) return PyInt.Get((s >> 8) & 0xff);
            if (((s & 0x7f) + 1) >> 1 > 0 && (s & 0xff) != 0x7f) return PyInt.Get(-(s & 0x7f));
            throw Ops.ValueError($"invalid wait status: {s}");
        });
        m.AddFn("WIFEXITED", (a, k) => PyBool.Of((Status(a, k, "WIFEXITED") & 0x7f) == 0));
        m.AddFn("WEXITSTATUS", (a, k) => PyInt.Get((Status(a, k, "WEXITSTATUS") >> 8) & 0xff));
        m.AddFn("WIFSIGNALED", (a, k) => { int s = Status(a, k, "WIFSIGNALED"); return PyBool.Of(((sbyte)((s & 0x7f) + 1) >> 1) > 0); });
        m.AddFn("WTERMSIG", (a, k) => PyInt.Get(Status(a, k, "WTERMSIG") & 0x7f));
        m.AddFn("WIFSTOPPED", (a, k) => PyBool.Of((Status(a, k, "WIFSTOPPED") & 0xff) == 0x7f));
        m.AddFn("WSTOPSIG", (a, k) => PyInt.Get((Status(a, k, "WSTOPSIG") >> 8) & 0xff));
        m.AddFn("WIFCONTINUED", (a, k) => PyBool.Of(Status(a, k, "WIFCONTINUED") == 0xffff));
        m.AddFn("WCOREDUMP", (a, k) => PyBool.Of((Status(a, k, "WCOREDUMP") & 0x80) != 0));
        m.AddFn("fork", (a, k) =>
        {
            // The child has only this thread: it may run Python, but must never wait for finalizers (platform probe P8).
            var hooks = ForkHooks.For(interp);
            hooks.RunBefore();
            int pid = Libc.fork();
            if (pid < 0) { int e = Fs.Errno; hooks.RunAfter(false); throw Fs.Error(e); }
            hooks.RunAfter(pid == 0);
            return PyInt.Get(pid);
        });
        m.AddFn("register_at_fork", (a, k) =>
        {
            if (Ops.PosCount(a, k) > 0) throw Ops.TypeError("register_at_fork() takes no positional arguments");
            PyObject? before = Ops.Arg(a, k, 99, "before"), child = Ops.Arg(a, k, 99, "after_in_child"), parent = Ops.Arg(a, k, 99, "after_in_parent");
            if (before == null && child == null && parent == null)
                throw Ops.TypeError("At least one argument is required.");
            foreach (var (f, n) in new[] { (before, "before"), (child, "after_in_child"), (parent, "after_in_parent") })
                if (f != null && !f.IsCallable) throw Ops.TypeError($"'{n}' must be callable, not {f.Type.Name}");
            ForkHooks.For(interp).Add(before, child, parent);
            return None;
        });
        m.AddFn("major", (a, k) => { ulong d = (ulong)Fs.Long(a[0]); return PyInt.Get((long)(((d >> 32) & 0xfffff000) | ((d >> 8) & 0xfff))); });
        m.AddFn("minor", (a, k) => { ulong d = (ulong)Fs.Long(a[0]); return PyInt.Get((long)(((d >> 12) & 0xffffff00) | (d & 0xff))); });
        m.AddFn("makedev", (a, k) =>
        {
            ulong ma = (ulong)Fs.Long(a[0]), mi = (ulong)Fs.Long(a[1]);
            return PyInt.Get((long)(((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffffff00) << 12) | (mi & 0xff)));
        });
        m.AddFn("sched_yield", (a, k) => { System.Threading.Thread.Yield(); return None; });
        m.AddFn("fchown", (a, k) =>
        {
            Ops.ArgCount(a, 3, 3, "fchown");
            if (Libc.fchown(Fs.Int(a[0]), Fs.Int(a[1]), Fs.Int(a[2])) != 0) throw Fs.LastError();
            return None;
        });
        m.AddFn("lchown", (a, k) =>
        {
            var path = Fs.Path(Req(a, k, 0, "path", "lchown"), "lchown");
            int uid = Fs.Int(Req(a, k, 1, "uid", "lchown")), gid = Fs.Int(Req(a, k, 2, "gid", "lchown"));
            fixed (byte* z = path.Z) if (Libc.lchown(z, uid, gid) != 0) throw Fs.LastError(path.Original);
            return None;
        });
        m.AddFn("setuid", (a, k) => { Ops.ArgCount(a, 1, 1, "setuid"); if (Libc.setuid(Fs.Int(a[0])) != 0) throw Fs.LastError(); return None; });
        m.AddFn("setgid", (a, k) => { Ops.ArgCount(a, 1, 1, "setgid"); if (Libc.setgid(Fs.Int(a[0])) != 0) throw Fs.LastError(); return None; });
        m.AddFn("execv", (a, k) => { Ops.ArgCount(a, 2, 2, "execv"); Exec(a[0], a[1], null, "execv"); return None; });
        m.AddFn("execve", (a, k) =>
        {
            var p = Req(a, k, 0, "path", "execve"); var argv = Req(a, k, 1, "argv", "execve"); var env = Req(a, k, 2, "env", "execve");
            Exec(p, argv, env, "execve");
            return None;
        });
        m.AddFn("_exit", (a, k) =>
        {
            int code = Fs.Int(Req(a, k, 0, "status", "_exit"));
            Libc._exit(code);
            return None;
        });
        m.AddFn("strerror", (a, k) => { Ops.ArgCount(a, 1, 1, "strerror"); return PyStr.Of(Fs.StrError(Fs.Int(a[0]))); });
        m.AddFn("fspath", (a, k) => Fs.FsPath(Req(a, k, 0, "path", "fspath")));
        m.AddFn("device_encoding", (a, k) =>
        {
            int fd = Fs.Int(Req(a, k, 0, "fd", "device_encoding"));
            return Libc.isatty(fd) == 1 ? PyStr.Of("UTF-8") : None;
        });
        m.AddFn("get_blocking", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "get_blocking");
            int fl = Libc.fcntl(Fs.Int(a[0]), 3 /* F_GETFL */, 0);
            if (fl < 0) throw Fs.LastError();
            return PyBool.Of((fl & 0x800 /* O_NONBLOCK */) == 0);
        });
        m.AddFn("set_blocking", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "set_blocking");
            SetBlocking(Fs.Int(a[0]), Ops.IsTrue(a[1]));
            return None;
        });
        m.AddFn("get_inheritable", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "get_inheritable");
            int fl = Libc.fcntl(Fs.Int(a[0]), 1 /* F_GETFD */, 0);
            if (fl < 0) throw Fs.LastError();
            return PyBool.Of((fl & 1 /* FD_CLOEXEC */) == 0);
        });
        m.AddFn("set_inheritable", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "set_inheritable");
            SetInheritable(Fs.Int(a[0]), Ops.IsTrue(a[1]));
            return None;
        });
        m.AddFn("sysconf", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "sysconf");
            int name = ConfName(a[0], SysconfNames);
            Marshal.SetLastPInvokeError(0);
            long r = Libc.sysconf(name);
            if (r == -1 && Fs.Errno != 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("confstr", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "confstr");
            int name = ConfName(a[0], ConfstrNames);
            Marshal.SetLastPInvokeError(0);
            var buf = stackalloc byte[1024];
            nint n = Libc.confstr(name, buf, 1024);
            if (n == 0) { if (Fs.Errno != 0) throw Fs.LastError(); return None; }
            return Fs.DecodeStr(new ReadOnlySpan<byte>(buf, (int)Math.Min(n - 1, 1023)));
        });
        m.AddFn("fpathconf", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "fpathconf");
            int name = ConfName(a[1], PathconfNames);
            Marshal.SetLastPInvokeError(0);
            long r = Libc.fpathconf(Fs.Fd(a[0]), name);
            if (r == -1 && Fs.Errno != 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.AddFn("pathconf", (a, k) =>
        {
            var p = Req(a, k, 0, "path", "pathconf");
            int name = ConfName(Req(a, k, 1, "name", "pathconf"), PathconfNames);
            Marshal.SetLastPInvokeError(0);
            long r;
            if (p is PyInt) r = Libc.fpathconf(Fs.Int(p), name);
            else { var path = Fs.Path(p, "pathconf", "path", true); fixed (byte* z = path.Z) r = Libc.pathconf(z, name); if (r == -1 && Fs.Errno != 0) throw Fs.LastError(path.Original); }
            if (r == -1 && Fs.Errno != 0) throw Fs.LastError();
            return PyInt.Get(r);
        });
        m.Add("sysconf_names", NamesDict(SysconfNames));
        m.Add("confstr_names", NamesDict(ConfstrNames));
        m.Add("pathconf_names", NamesDict(PathconfNames));
        // what os.py builds supports_dir_fd/supports_fd/supports_follow_symlinks from: only what the functions here honour
        var have = new PyList();
        foreach (var h in new[] { "HAVE_FACCESSAT", "HAVE_FCHDIR", "HAVE_FCHMOD", "HAVE_FCHMODAT", "HAVE_FCHOWN", "HAVE_FSTATAT",
                     "HAVE_FTRUNCATE", "HAVE_FUTIMENS", "HAVE_LCHOWN", "HAVE_LSTAT", "HAVE_MKDIRAT", "HAVE_OPENAT", "HAVE_RENAMEAT", "HAVE_UNLINKAT", "HAVE_UTIMENSAT", "HAVE_FDOPENDIR" })
            have.Append(PyStr.Of(h));
        m.Add("_have_functions", have);
        return m;
    }

    /// <summary>One interpreter's os.register_at_fork callables (kept beside the interpreter object, not in a static list).</summary>
    private sealed class ForkHooks
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<InterpreterState, ForkHooks> All = new();
        private readonly List<PyObject> _before = new(), _child = new(), _parent = new();

        public static ForkHooks For(InterpreterState interp) => All.GetValue(interp, _ => new ForkHooks());

        public void Add(PyObject? before, PyObject? child, PyObject? parent)
        {
            if (before != null) _before.Add(before);
            if (child != null) _child.Add(child);
            if (parent != null) _parent.Add(parent);
        }

        /// <summary>CPython: "before" hooks run in reverse registration order, the "after" ones in order; an exception
        /// in a hook is reported as unraisable and does not stop the fork.</summary>
        public void RunBefore()
        {
            for (int i = _before.Count - 1; i >= 0; i--) CallIgnoring(_before[i]);
        }

        public void RunAfter(bool child)
        {
            var list = child ? _child : _parent;
            for (int i = 0; i < list.Count; i++) CallIgnoring(list[i]);
        }

        private static void CallIgnoring(PyObject f)
        {
            try { Ops.Call0(f); }
            catch (PyException e) { Console.Error.WriteLine("Exception ignored in: " + Ops.Repr(f) + "\n" + e.Value.Type.Name + ": " + e.Value.Str()); }
        }
    }

    // ---------------- helpers used by the functions above ----------------

    /// <summary>Run pending signal handlers (EINTR retry loops, PEP 475); today only the interpreter's interrupt request.</summary>
    internal static void CheckSignals()
    {
        var ts = ThreadState.CurrentOrNull;
        if (ts != null && ts.Interp.ClearInterrupt())
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
    }

    private static int Status(ReadOnlySpan<PyObject> a, PyStr[]? k, string func) => Fs.Int(Req(a, k, 0, "status", func));

    private static int IndexOfNul(byte* p, int max)
    {
        int i = 0;
        while (i < max && p[i] != 0) i++;
        return i;
    }

    /// <summary>A bytes-like argument's bytes (bytes, bytearray, memoryview, array, mmap).</summary>
    internal static byte[] Buffer(PyObject o)
    {
        if (o is PyBytes b) return b.Span.ToArray();
        if (o is PyMemoryView mv) return mv.ToBytes();
        if (o is IBufferExporter e) return e.BufferBytes.ToArray();
        throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");
    }

    internal static PyBytes ReadFd(int fd, long n)
    {
        var buf = new byte[n];
        while (true)
        {
            nint got;
            var ts = Lend();
            fixed (byte* p = buf) got = Libc.read(fd, p, (nint)n);
            Reclaim(ts);
            if (got >= 0) return new PyBytes(got == n ? buf : buf.AsSpan(0, (int)got).ToArray());
            if (Fs.Errno == 4) { CheckSignals(); continue; }
            throw Fs.LastError();
        }
    }

    internal static long WriteFd(int fd, byte[] data)
    {
        while (true)
        {
            nint r;
            var ts = Lend();
            fixed (byte* p = data) r = Libc.write(fd, p, data.Length);
            Reclaim(ts);
            if (r >= 0) return r;
            if (Fs.Errno == 4) { CheckSignals(); continue; }
            throw Fs.LastError();
        }
    }

    private static PyObject Pipe(int flags)
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, flags) != 0) throw Fs.LastError();
        return PyTuple.Of(PyInt.Get(fds[0]), PyInt.Get(fds[1]));
    }

    internal static void SetBlocking(int fd, bool blocking)
    {
        int fl = Libc.fcntl(fd, 3, 0);
        if (fl < 0) throw Fs.LastError();
        int nf = blocking ? fl & ~0x800 : fl | 0x800;
        if (nf != fl && Libc.fcntl(fd, 4 /* F_SETFL */, nf) < 0) throw Fs.LastError();
    }

    internal static void SetInheritable(int fd, bool inheritable)
    {
        int fl = Libc.fcntl(fd, 1, 0);
        if (fl < 0) throw Fs.LastError();
        int nf = inheritable ? fl & ~1 : fl | 1;
        if (nf != fl && Libc.fcntl(fd, 2 /* F_SETFD */, nf) < 0) throw Fs.LastError();
    }

    private delegate int PathFn(byte* z);
    private delegate int TwoPathFn(byte* x, byte* y);

    private static PyObject PathCall(ReadOnlySpan<PyObject> a, PyStr[]? k, string func, PathFn fn)
    {
        MaxPos(a, k, 1, func);
        var path = Fs.Path(Req(a, k, 0, "path", func), func);
        int r;
        fixed (byte* z = path.Z) r = fn(z);
        if (r != 0) throw Fs.LastError(path.Original);
        return None;
    }

    private static PyObject TwoPaths(ReadOnlySpan<PyObject> a, PyStr[]? k, string func, string n1, string n2, TwoPathFn fn)
    {
        MaxPos(a, k, 2, func);
        var x = Fs.Path(Req(a, k, 0, n1, func), func, n1);
        var y = Fs.Path(Req(a, k, 1, n2, func), func, n2);
        if (x.AsBytes != y.AsBytes && func != "symlink")
            throw Ops.TypeError($"{func}: {n1} and {n2} must be the same type");
        int r;
        fixed (byte* px = x.Z) fixed (byte* py = y.Z) r = fn(px, py);
        if (r != 0) throw Fs.LastError(x.Original, y.Original);
        return None;
    }

    private static byte[] GetCwd()
    {
        var buf = new byte[4096];
        fixed (byte* b = buf)
        {
            if (Libc.getcwd(b, buf.Length) == 0) throw Fs.LastError();
            return buf.AsSpan(0, IndexOfNul(b, buf.Length)).ToArray();
        }
    }

    private static byte[] EnvArg(PyObject o, string func)
    {
        var p = Fs.Path(o, func, "name");
        return p.Z;
    }

    private static PyObject Utime(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        MaxPos(a, k, 2, "utime");
        var p = Req(a, k, 0, "path", "utime");
        var times = Ops.Arg(a, k, 1, "times");
        var ns = KwOnly(a, k, "ns");
        bool follow = Flag(a, k, "follow_symlinks", true);
        long* ts = stackalloc long[4];
        bool now = true;
        if (times != null && times != PyNone.Instance)
        {
            if (ns != null) throw Ops.ValueError("utime: you may specify either 'times' or 'ns' but not both");
            if (times is not PyTuple t || t.Items.Length != 2) throw Ops.TypeError("utime: 'times' must be either a tuple of two ints or None");
            for (int i = 0; i < 2; i++)
            {
                var v = t.Items[i];
                if (v is PyFloat f) { double s = Math.Floor(f.V); ts[2 * i] = (long)s; ts[2 * i + 1] = (long)Math.Round((f.V - s) * 1e9); if (ts[2 * i + 1] >= 1000000000) { ts[2 * i]++; ts[2 * i + 1] -= 1000000000; } }
                else { ts[2 * i] = Fs.Long(v); ts[2 * i + 1] = 0; }
            }
            now = false;
        }
        else if (ns != null)
        {
            if (ns is not PyTuple t || t.Items.Length != 2) throw Ops.TypeError("utime: 'ns' must be a tuple of two ints");
            for (int i = 0; i < 2; i++)
            {
                var v = (System.Numerics.BigInteger)Ops.IndexValue(t.Items[i]);
                var q = System.Numerics.BigInteger.DivRem(v, 1000000000, out var rem);
                if (rem < 0) { rem += 1000000000; q -= 1; }
                ts[2 * i] = (long)q; ts[2 * i + 1] = (long)rem;
            }
            now = false;
        }
        long* arg = now ? null : ts;
        if (p is PyInt) { if (Libc.futimens(Fs.Int(p), arg) != 0) throw Fs.LastError(); return None; }
        var path = Fs.Path(p, "utime", "path", true);
        fixed (byte* z = path.Z) if (Libc.utimensat(DirFd(a, k), z, arg, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) throw Fs.LastError(path.Original);
        return None;
    }

    private static PyObject ListDir(PyObject? p)
    {
        nint dir;
        bool asBytes = false;
        PyObject? original = p;
        if (p is PyInt)
        {
            int fd = Libc.fcntl(Fs.Int(p), 1030, 0);
            if (fd < 0) throw Fs.LastError();
            dir = Libc.fdopendir(fd);
            if (dir == 0) { int e = Fs.Errno; Libc.close(fd); throw Fs.Error(e); }
        }
        else
        {
            var path = p == null ? new PathArg(new byte[] { (byte)'.', 0 }, PyStr.Of("."), false) : Fs.Path(p, "listdir", "path", true);
            asBytes = path.AsBytes;
            original = path.Original;
            fixed (byte* z = path.Z) dir = Libc.opendir(z);
            if (dir == 0) throw Fs.LastError(original);
        }
        var l = new PyList();
        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                nint ent = Libc.readdir(dir);
                if (ent == 0) { if (Fs.Errno != 0) throw Fs.LastError(original); break; }
                var name = DirentName(ent);
                if (IsDotOrDotDot(name)) continue;
                l.Append(Fs.Name(name, asBytes));
            }
        }
        finally { Libc.closedir(dir); }
        return l;
    }

    /// <summary>d_name of a glibc x86-64 <c>struct dirent</c> (ino 8, off 8, reclen 2, type 1, then the name).</summary>
    internal static ReadOnlySpan<byte> DirentName(nint ent)
    {
        byte* n = (byte*)ent + 19;
        return new ReadOnlySpan<byte>(n, IndexOfNul(n, 256));
    }

    internal static byte DirentType(nint ent) => *((byte*)ent + 18);
    internal static ulong DirentIno(nint ent) => *(ulong*)ent;

    internal static bool IsDotOrDotDot(ReadOnlySpan<byte> n) => (n.Length == 1 && n[0] == '.') || (n.Length == 2 && n[0] == '.' && n[1] == '.');

    private static void Exec(PyObject pathObj, PyObject argvObj, PyObject? envObj, string func)
    {
        var path = Fs.Path(pathObj, func);
        if (argvObj is not PyTuple && argvObj is not PyList) throw Ops.TypeError($"{func}: argv must be a tuple or list");
        var argv = Ops.ToArray(argvObj);
        if (argv.Length < 1) throw Ops.ValueError($"{func}: argv must not be empty");
        var args = new byte[argv.Length][];
        for (int i = 0; i < argv.Length; i++) args[i] = Fs.Path(argv[i], func, "argv").Z;
        if (args[0].Length == 1) throw Ops.ValueError($"{func}: argv first element cannot be empty");
        byte[][]? env = null;
        if (envObj != null)
        {
            if (envObj is not PyDict && Ops.GetAttrOrNull(envObj, PyStr.Intern("keys")) == null) throw Ops.TypeError($"{func}: environment must be a mapping object");
            var keys = Ops.ToArray(Ops.CallMethod(envObj, "keys"));
            env = new byte[keys.Length][];
            for (int i = 0; i < keys.Length; i++)
            {
                var key = Fs.Path(keys[i], func, "env").Z;
                var val = Fs.Path(Ops.GetItem(envObj, keys[i]), func, "env").Z;
                if (key.Length <= 1 || Array.IndexOf(key, (byte)'=') >= 0) throw Ops.ValueError("illegal environment variable name");
                var kv = new byte[key.Length + val.Length];
                key.AsSpan(0, key.Length - 1).CopyTo(kv);
                kv[key.Length - 1] = (byte)'=';
                val.CopyTo(kv, key.Length);
                env[i] = kv;
            }
        }
        var handles = new List<GCHandle>();
        try
        {
            byte** av = Pin(args, handles);
            byte** ev = env == null ? null : Pin(env, handles);
            fixed (byte* z = path.Z)
            {
                if (ev == null) Libc.execv(z, av); else Libc.execve(z, av, ev);
            }
            throw Fs.LastError();
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
    }

    private static byte** Pin(byte[][] arrays, List<GCHandle> handles)
    {
        var ptrs = new nint[arrays.Length + 1];
        for (int i = 0; i < arrays.Length; i++)
        {
            var h = GCHandle.Alloc(arrays[i], GCHandleType.Pinned);
            handles.Add(h);
            ptrs[i] = h.AddrOfPinnedObject();
        }
        var hp = GCHandle.Alloc(ptrs, GCHandleType.Pinned);
        handles.Add(hp);
        return (byte**)hp.AddrOfPinnedObject();
    }

    /// <summary>posix.environ: bytes keys and values, as CPython (os.py decodes them into os.environ).</summary>
    private static PyDict MakeEnviron()
    {
        var d = new PyDict();
        var envp = Environ();
        foreach (var kv in envp)
        {
            int eq = kv.AsSpan().IndexOf((byte)'=');
            if (eq <= 0) continue;
            var key = new PyBytes(kv.AsSpan(0, eq).ToArray());
            if (d.GetOrNull(key) != null) continue; // the first one wins, as in CPython
            d.SetItem(key, new PyBytes(kv.AsSpan(eq + 1).ToArray()));
        }
        return d;
    }

    private static List<byte[]> Environ()
    {
        // /proc/self/environ is the start-up environment; later setenv calls of the host are not in it. The managed
        // view of the environment is read at start-up too, so take the live C array instead.
        var list = new List<byte[]>();
        nint envp = EnvironPointer();
        if (envp == 0) return list;
        for (byte** p = (byte**)envp; *p != null; p++)
        {
            int n = IndexOfNul(*p, int.MaxValue);
            list.Add(new ReadOnlySpan<byte>(*p, n).ToArray());
        }
        return list;
    }

    private static nint EnvironPointer()
    {
        var lib = NativeLibrary.Load("libc.so.6");
        return NativeLibrary.TryGetExport(lib, "environ", out var addr) ? *(nint*)addr : 0;
    }

    private static int ConfName(PyObject o, (string, int)[] table)
    {
        if (o is PyInt) return Fs.Int(o);
        if (o is PyStr s)
        {
            foreach (var (n, v) in table) if (n == s.Value) return v;
            throw Ops.ValueError("unrecognized configuration name");
        }
        throw Ops.TypeError("configuration names must be strings or integers");
    }

    private static PyDict NamesDict((string, int)[] table)
    {
        var d = new PyDict();
        foreach (var (n, v) in table) d.SetItem(PyStr.Of(n), PyInt.Get(v));
        return d;
    }

    private static readonly (string, int)[] SysconfNames =
    {
        ("SC_ARG_MAX", 0), ("SC_CHILD_MAX", 1), ("SC_CLK_TCK", 2), ("SC_NGROUPS_MAX", 3), ("SC_OPEN_MAX", 4),
        ("SC_STREAM_MAX", 5), ("SC_TZNAME_MAX", 6), ("SC_JOB_CONTROL", 7), ("SC_SAVED_IDS", 8), ("SC_VERSION", 29),
        ("SC_PAGESIZE", 30), ("SC_PAGE_SIZE", 30), ("SC_NPROCESSORS_CONF", 83), ("SC_NPROCESSORS_ONLN", 84),
        ("SC_PHYS_PAGES", 85), ("SC_AVPHYS_PAGES", 86), ("SC_LINE_MAX", 43), ("SC_HOST_NAME_MAX", 180),
        ("SC_LOGIN_NAME_MAX", 71), ("SC_TTY_NAME_MAX", 72), ("SC_GETPW_R_SIZE_MAX", 70), ("SC_GETGR_R_SIZE_MAX", 69),
        ("SC_SEM_NSEMS_MAX", 32), ("SC_IOV_MAX", 60), ("SC_THREAD_STACK_MIN", 75), ("SC_MINSIGSTKSZ", 249),
    };
    private static readonly (string, int)[] ConfstrNames =
    {
        ("CS_PATH", 0), ("CS_GNU_LIBC_VERSION", 2), ("CS_GNU_LIBPTHREAD_VERSION", 3),
    };
    private static readonly (string, int)[] PathconfNames =
    {
        ("PC_LINK_MAX", 0), ("PC_MAX_CANON", 1), ("PC_MAX_INPUT", 2), ("PC_NAME_MAX", 3), ("PC_PATH_MAX", 4),
        ("PC_PIPE_BUF", 5), ("PC_CHOWN_RESTRICTED", 6), ("PC_NO_TRUNC", 7), ("PC_VDISABLE", 8), ("PC_FILESIZEBITS", 13),
    };

    private static void AddConstants(PyModule m)
    {
        (string, long)[] c =
        {
            ("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1),
            ("O_RDONLY", 0), ("O_WRONLY", 1), ("O_RDWR", 2), ("O_ACCMODE", 3), ("O_CREAT", 0x40), ("O_EXCL", 0x80),
            ("O_NOCTTY", 0x100), ("O_TRUNC", 0x200), ("O_APPEND", 0x400), ("O_NONBLOCK", 0x800), ("O_NDELAY", 0x800),
            ("O_DSYNC", 0x1000), ("O_SYNC", 0x101000), ("O_RSYNC", 0x101000), ("O_ASYNC", 0x2000), ("O_DIRECT", 0x4000),
            ("O_LARGEFILE", 0), ("O_DIRECTORY", 0x10000), ("O_NOFOLLOW", 0x20000), ("O_NOATIME", 0x40000),
            ("O_CLOEXEC", O_CLOEXEC), ("O_PATH", 0x200000), ("O_TMPFILE", 0x410000),
            ("SEEK_DATA", 3), ("SEEK_HOLE", 4),
            ("WNOHANG", 1), ("WUNTRACED", 2), ("WCONTINUED", 8), ("WEXITED", 4), ("WSTOPPED", 2), ("WNOWAIT", 0x1000000),
            ("P_PID", 1), ("P_PGID", 2), ("P_ALL", 0),
            ("EX_OK", 0), ("EX_USAGE", 64), ("EX_DATAERR", 65), ("EX_NOINPUT", 66), ("EX_NOUSER", 67), ("EX_NOHOST", 68),
            ("EX_UNAVAILABLE", 69), ("EX_SOFTWARE", 70), ("EX_OSERR", 71), ("EX_OSFILE", 72), ("EX_CANTCREAT", 73),
            ("EX_IOERR", 74), ("EX_TEMPFAIL", 75), ("EX_PROTOCOL", 76), ("EX_NOPERM", 77), ("EX_CONFIG", 78),
            ("F_LOCK", 1), ("F_TLOCK", 2), ("F_ULOCK", 0), ("F_TEST", 3),
            ("NGROUPS_MAX", 65536), ("TMP_MAX", 238328),
            ("ST_RDONLY", 1), ("ST_NOSUID", 2),
            ("RTLD_LAZY", 1), ("RTLD_NOW", 2), ("RTLD_GLOBAL", 0x100), ("RTLD_LOCAL", 0), ("RTLD_NODELETE", 0x1000),
            ("RTLD_NOLOAD", 4), ("RTLD_DEEPBIND", 8),
            ("SCHED_OTHER", 0), ("SCHED_FIFO", 1), ("SCHED_RR", 2), ("SCHED_BATCH", 3), ("SCHED_IDLE", 5),
            ("PRIO_PROCESS", 0), ("PRIO_PGRP", 1), ("PRIO_USER", 2),
            ("CLD_EXITED", 1), ("CLD_KILLED", 2), ("CLD_DUMPED", 3), ("CLD_TRAPPED", 4), ("CLD_STOPPED", 5), ("CLD_CONTINUED", 6),
            ("GRND_NONBLOCK", 1), ("GRND_RANDOM", 2),
        };
        foreach (var (n, v) in c) m.Add(n, PyInt.Get(v));
    }
}
