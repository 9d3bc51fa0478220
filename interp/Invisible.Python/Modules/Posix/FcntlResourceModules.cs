using System;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Posix;

/// <summary><c>fcntl</c> and <c>resource</c> (CPython's Modules/fcntlmodule.c, resource.c).</summary>
public static unsafe partial class FcntlResourceModules
{
    private const string C = "libc.so.6";
    [LibraryImport(C, SetLastError = true)] private static partial int fcntl(int fd, int cmd, long arg);
    [LibraryImport(C, SetLastError = true, EntryPoint = "fcntl")] private static partial int fcntl_ptr(int fd, int cmd, byte* arg);
    [LibraryImport(C, SetLastError = true)] private static partial int ioctl(int fd, ulong request, long arg);
    [LibraryImport(C, SetLastError = true, EntryPoint = "ioctl")] private static partial int ioctl_ptr(int fd, ulong request, byte* arg);
    [LibraryImport(C, SetLastError = true)] private static partial int flock(int fd, int op);
    [LibraryImport(C, SetLastError = true)] private static partial int getrlimit(int resource, long* rlim);
    [LibraryImport(C, SetLastError = true)] private static partial int setrlimit(int resource, long* rlim);
    [LibraryImport(C, SetLastError = true)] private static partial int prlimit(int pid, int resource, long* newLimit, long* oldLimit);
    [LibraryImport(C, SetLastError = true)] private static partial int getrusage(int who, long* usage);
    [LibraryImport(C)] private static partial int getpagesize();

    /// <summary>fcntl(fd, cmd, arg=0) / ioctl: an int argument passes as is; a bytes argument is copied into a
    /// buffer (at most 1024 bytes, as CPython), the call may change it, and the changed bytes come back.</summary>
    private static PyObject Control(ReadOnlySpan<PyObject> a, string func, bool isIoctl)
    {
        if (a.Length < 2 || a.Length > (isIoctl ? 4 : 3)) throw Ops.TypeError($"{func} expected 2 to {(isIoctl ? 4 : 3)} arguments, got {a.Length}");
        int fd = Fs.Fd(a[0]);
        long cmd = Fs.Long(a[1]);
        var arg = a.Length > 2 ? a[2] : PyInt.Zero;
        if (arg is PyBytes bytes)
        {
            var src = bytes.Span;
            if (src.Length > 1024) throw Ops.ValueError($"{func} string arg too long");
            var buf = new byte[1024];
            src.CopyTo(buf);
            int r;
            fixed (byte* p = buf) r = isIoctl ? ioctl_ptr(fd, (ulong)cmd, p) : fcntl_ptr(fd, (int)cmd, p);
            if (r < 0) throw Fs.LastError();
            if (arg is PyByteArray ba && isIoctl && (a.Length < 4 || Ops.IsTrue(a[3])))
            {
                buf.AsSpan(0, ba.Count).CopyTo(ba.Buf);
                return PyInt.Get(r);
            }
            return new PyBytes(buf.AsSpan(0, src.Length).ToArray());
        }
        long v = arg is PyBool b ? (b == PyBool.True ? 1 : 0) : Fs.Long(arg);
        while (true)
        {
            int r = isIoctl ? ioctl(fd, (ulong)cmd, v) : fcntl(fd, (int)cmd, v);
            if (r >= 0) return PyInt.Get(r);
            if (Fs.Errno == 4) { PosixModule.CheckSignals(); continue; }
            throw Fs.LastError();
        }
    }

    public static PyModule CreateFcntl()
    {
        var m = new PyModule("fcntl");
        m.AddFn("fcntl", (a, k) => Control(a, "fcntl", false));
        m.AddFn("ioctl", (a, k) => Control(a, "ioctl", true));
        m.AddFn("flock", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "flock");
            int fd = Fs.Fd(a[0]), op = Fs.Int(a[1]);
            while (true)
            {
                var ts = PosixModule.Lend();
                int r = flock(fd, op);
                PosixModule.Reclaim(ts);
                if (r == 0) return PyNone.Instance;
                if (Fs.Errno == 4) { PosixModule.CheckSignals(); continue; }
                throw Fs.LastError();
            }
        });
        m.AddFn("lockf", (a, k) =>
        {
            if (a.Length < 2 || a.Length > 5) throw Ops.TypeError($"lockf expected 2 to 5 arguments, got {a.Length}");
            int fd = Fs.Fd(a[0]), code = Fs.Int(a[1]);
            long len = a.Length > 2 ? Fs.Long(a[2]) : 0, start = a.Length > 3 ? Fs.Long(a[3]) : 0;
            int whence = a.Length > 4 ? Fs.Int(a[4]) : 0;
            // struct flock on x86-64: short l_type, short l_whence, long l_start, long l_len, int l_pid.
            var fl = stackalloc byte[32];
            short type;
            if (code == 8 /* LOCK_UN */) type = 2;
            else if ((code & 1) != 0) type = 0;
            else if ((code & 2) != 0) type = 1;
            else throw Ops.ValueError("unrecognized lockf argument");
            *(short*)fl = type; *(short*)(fl + 2) = (short)whence; *(long*)(fl + 8) = start; *(long*)(fl + 16) = len; *(int*)(fl + 24) = 0;
            int cmd = (code & 4) != 0 ? 6 /* F_SETLK */ : 7 /* F_SETLKW */;
            if (fcntl_ptr(fd, cmd, fl) < 0) throw Fs.LastError();
            return PyNone.Instance;
        });
        (string, long)[] c =
        {
            ("LOCK_SH", 1), ("LOCK_EX", 2), ("LOCK_NB", 4), ("LOCK_UN", 8), ("LOCK_MAND", 32), ("LOCK_READ", 64), ("LOCK_WRITE", 128), ("LOCK_RW", 192),
            ("F_DUPFD", 0), ("F_GETFD", 1), ("F_SETFD", 2), ("F_GETFL", 3), ("F_SETFL", 4), ("F_GETLK", 5), ("F_SETLK", 6), ("F_SETLKW", 7),
            ("F_SETOWN", 8), ("F_GETOWN", 9), ("F_SETSIG", 10), ("F_GETSIG", 11), ("F_GETLK64", 5), ("F_SETLK64", 6), ("F_SETLKW64", 7),
            ("F_SETLEASE", 1024), ("F_GETLEASE", 1025), ("F_NOTIFY", 1026), ("F_DUPFD_CLOEXEC", 1030), ("F_SETPIPE_SZ", 1031), ("F_GETPIPE_SZ", 1032),
            ("F_ADD_SEALS", 1033), ("F_GET_SEALS", 1034), ("F_SEAL_SEAL", 1), ("F_SEAL_SHRINK", 2), ("F_SEAL_GROW", 4), ("F_SEAL_WRITE", 8),
            ("F_OFD_GETLK", 36), ("F_OFD_SETLK", 37), ("F_OFD_SETLKW", 38),
            ("F_RDLCK", 0), ("F_WRLCK", 1), ("F_UNLCK", 2), ("F_EXLCK", 4), ("F_SHLCK", 8), ("FD_CLOEXEC", 1), ("FASYNC", 0x2000),
            ("DN_ACCESS", 1), ("DN_MODIFY", 2), ("DN_CREATE", 4), ("DN_DELETE", 8), ("DN_RENAME", 16), ("DN_ATTRIB", 32), ("DN_MULTISHOT", 0x80000000),
        };
        foreach (var (n, v) in c) m.Add(n, PyInt.Get(v));
        return m;
    }

    public static readonly StructSeq StructRusage = new("resource", "struct_rusage", new[]
    {
        "ru_utime", "ru_stime", "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
        "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw",
    }, 16);

    private static PyObject Limit(long v) => PyInt.Get(v);

    private static int Resource(PyObject o)
    {
        int r = Fs.Int(o);
        if (r < 0 || r >= 16) throw Ops.ValueError("invalid resource specified");
        return r;
    }

    public static PyModule CreateResource()
    {
        var m = new PyModule("resource");
        m.Add("error", PyBaseException.OSErrorType);
        m.Add("struct_rusage", StructRusage.Type);
        m.AddFn("getrlimit", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "getrlimit");
            long* l = stackalloc long[2];
            if (getrlimit(Resource(a[0]), l) != 0) throw Fs.LastError();
            return PyTuple.Of(Limit(l[0]), Limit(l[1]));
        });
        m.AddFn("setrlimit", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "setrlimit");
            int res = Resource(a[0]);
            var lim = Ops.ToArray(a[1]);
            if (lim.Length != 2) throw Ops.ValueError("expected a tuple of 2 integers");
            long* l = stackalloc long[2];
            l[0] = Fs.Long(lim[0]); l[1] = Fs.Long(lim[1]);
            if (setrlimit(res, l) != 0)
            {
                int e = Fs.Errno;
                if (e == 22) throw Ops.ValueError("current limit exceeds maximum limit");
                if (e == 1) throw Ops.ValueError("not allowed to raise maximum limit");
                throw Fs.Error(e);
            }
            return PyNone.Instance;
        });
        m.AddFn("prlimit", (a, k) =>
        {
            Ops.ArgCount(a, 2, 3, "prlimit");
            int pid = Fs.Int(a[0]), res = Resource(a[1]);
            long* n = stackalloc long[2];
            long* o = stackalloc long[2];
            bool set = a.Length > 2;
            if (set) { var lim = Ops.ToArray(a[2]); if (lim.Length != 2) throw Ops.ValueError("expected a tuple of 2 integers"); n[0] = Fs.Long(lim[0]); n[1] = Fs.Long(lim[1]); }
            if (prlimit(pid, res, set ? n : null, o) != 0) throw Fs.LastError();
            return PyTuple.Of(Limit(o[0]), Limit(o[1]));
        });
        m.AddFn("getrusage", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "getrusage");
            int who = Fs.Int(a[0]);
            long* u = stackalloc long[18];
            if (getrusage(who, u) != 0)
            {
                if (Fs.Errno == 22) throw Ops.ValueError("invalid who parameter");
                throw Fs.LastError();
            }
            var f = new PyObject[16];
            f[0] = new PyFloat(u[0] + u[1] * 1e-6);
            f[1] = new PyFloat(u[2] + u[3] * 1e-6);
            for (int i = 2; i < 16; i++) f[i] = PyInt.Get(u[i + 2]);
            return StructRusage.Make(f);
        });
        m.AddFn("getpagesize", (a, k) => PyInt.Get(getpagesize()));
        (string, long)[] c =
        {
            ("RLIMIT_CPU", 0), ("RLIMIT_FSIZE", 1), ("RLIMIT_DATA", 2), ("RLIMIT_STACK", 3), ("RLIMIT_CORE", 4), ("RLIMIT_RSS", 5),
            ("RLIMIT_NPROC", 6), ("RLIMIT_NOFILE", 7), ("RLIMIT_OFILE", 7), ("RLIMIT_MEMLOCK", 8), ("RLIMIT_AS", 9),
            ("RLIMIT_MSGQUEUE", 12), ("RLIMIT_NICE", 13), ("RLIMIT_RTPRIO", 14), ("RLIMIT_RTTIME", 15), ("RLIMIT_SIGPENDING", 11),
            ("RLIM_INFINITY", -1), ("RUSAGE_SELF", 0), ("RUSAGE_CHILDREN", -1), ("RUSAGE_THREAD", 1),
        };
        foreach (var (n, v) in c) m.Add(n, PyInt.Get(v));
        return m;
    }
}
