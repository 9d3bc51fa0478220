using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_posixsubprocess</c> (Modules/_posixsubprocess.c): <c>fork_exec()</c>, on which Lib's subprocess (and
/// through it asyncio, unittest.mock, test.support.script_helper) starts its children. CPython forks and prepares the
/// child in C; a NativeAOT .NET process must not fork (its runtime threads would be missing in the child), so the
/// child is started with glibc's posix_spawn and CPython's child-side steps become spawn attributes and file actions
/// (std fds dup2'd, pass_fds made inheritable, cwd, close_fds, setsid, setpgid, default SIGPIPE/SIGXFSZ). Failures
/// reach Lib the way CPython's child reports them: "OSError:hexerrno:" (exec failed, filename = the executable) or
/// "OSError:hexerrno:noexec" (a step before exec failed, e.g. chdir: filename = cwd) written to errpipe_write.
/// Not supported (posix_spawn cannot do them): preexec_fn (RuntimeError), child_umask (OSError ENOTSUP), and changing
/// uid/gid/groups as root (OSError ENOTSUP); an unprivileged change fails with EPERM as CPython's child does.
/// </summary>
public static unsafe partial class PosixSubprocessModule
{
    private const string C = "libc.so.6";
    private const int ENOENT = 2, EPERM = 1, ENOTDIR = 20, EBADF = 9, ENOTSUP = 95, EINTR = 4;
    private const int SpawnSetPgroup = 0x02, SpawnSetSigDef = 0x04, SpawnSetSigMask = 0x08, SpawnSetSid = 0x80;
    private const int SIGPIPE = 13, SIGXFSZ = 25, F_GETFD = 1, F_DUPFD_CLOEXEC = 1030;
    private const int O_PATH = 0x200000, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, X_OK = 1;
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 and sigset_t 128 on x86-64: room to spare
    private const int FileActionsSize = 256, AttrSize = 512, SigSetSize = 128;

    [LibraryImport(C)] private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_init(void* fa);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_destroy(void* fa);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_adddup2(void* fa, int fd, int newfd);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_addclose(void* fa, int fd);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_addclosefrom_np(void* fa, int from);
    [LibraryImport(C)] private static partial int posix_spawn_file_actions_addchdir_np(void* fa, byte* path);
    [LibraryImport(C)] private static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(C)] private static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(C)] private static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(C)] private static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
    [LibraryImport(C)] private static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);
    [LibraryImport(C)] private static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);
    [LibraryImport(C)] private static partial int sigemptyset(void* set);
    [LibraryImport(C)] private static partial int sigaddset(void* set, int signo);
    [LibraryImport(C, SetLastError = true)] private static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(C, SetLastError = true)] private static partial int open(byte* path, int flags, int mode);
    [LibraryImport(C, SetLastError = true)] private static partial int close(int fd);
    [LibraryImport(C, SetLastError = true)] private static partial nint write(int fd, byte* buf, nint count);

    /// <summary>glibc's <c>environ</c> (what execv passes on; posix.putenv/unsetenv keep it current).</summary>
    private static readonly nint EnvironAddress = NativeLibrary.GetExport(NativeLibrary.Load(C), "environ");

    public static PyModule Create()
    {
        var m = new PyModule("_posixsubprocess");
        m.AddFn("fork_exec", ForkExec);
        return m;
    }

    /// <summary>The parsed arguments of one fork_exec call (CPython 3.11's 23 positional arguments).</summary>
    private sealed class Request
    {
        public byte[][]? Argv;
        public byte[][] Executables = Array.Empty<byte[]>();
        public bool CloseFds;
        public int[] FdsToKeep = Array.Empty<int>();
        public byte[]? Cwd;
        public byte[][]? Env;
        public int P2cRead, C2pWrite, ErrWrite, ErrpipeWrite;
        public bool RestoreSignals, CallSetsid;
        public int PgidToSet;
        public long? Gid, Uid;
        public long[]? ExtraGroups;
        public int ChildUmask;
        public bool HasPreexec;
    }

    private static PyObject ForkExec(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0) throw Ops.TypeError("fork_exec() takes no keyword arguments");
        if (a.Length != 23) throw Ops.TypeError($"fork_exec() takes exactly 23 arguments ({a.Length} given)");
        var r = Parse(a);
        if (r.HasPreexec)
            throw Ops.RuntimeError("preexec_fn is not supported: this interpreter starts processes with posix_spawn");
        if (r.ChildUmask >= 0)
            throw Fs.Error(ENOTSUP);
        int idError = CheckIds(r);
        if (idError != 0) return ReportFailure(r.ErrpipeWrite, idError, beforeExec: true);
        return Spawn(r);
    }

    private static Request Parse(ReadOnlySpan<PyObject> a)
    {
        var r = new Request();
        if (a[3] is not PyTuple keep)
            throw Ops.TypeError($"fork_exec() argument 4 must be tuple, not {a[3].Type.Name}");
        r.CloseFds = Ops.IsTrue(a[2]);
        // argument 7..16: p2cread ... errpipe_write, then restore_signals, call_setsid (all "i")
        var ints = new int[10];
        for (int i = 0; i < 10; i++) ints[i] = IntArg(a[6 + i]);
        r.P2cRead = ints[0]; r.C2pWrite = ints[3]; r.ErrWrite = ints[5]; r.ErrpipeWrite = ints[7];
        r.RestoreSignals = IntArg(a[14]) != 0;
        r.CallSetsid = IntArg(a[15]) != 0;
        r.PgidToSet = IntArg(a[16]);
        r.ChildUmask = IntArg(a[20]);
        _ = Ops.IsTrue(a[22]); // allow_vfork: posix_spawn already uses CLONE_VFORK
        if (r.CloseFds && r.ErrpipeWrite < 3) throw Ops.ValueError("errpipe_write must be >= 3");
        r.FdsToKeep = FdSequence(keep);
        r.HasPreexec = a[21] != PyNone.Instance;
        if (a[0] != PyNone.Instance)
        {
            if (a[0] is not PyTuple && a[0] is not PyList) throw Ops.TypeError("argv must be a tuple");
            var items = Ops.ToArray(a[0]);
            r.Argv = new byte[items.Length][];
            for (int i = 0; i < items.Length; i++) r.Argv[i] = FsConvert(items[i]);
        }
        r.Executables = BytesArray(a[1]);
        if (a[4] != PyNone.Instance) r.Cwd = FsConvert(a[4]);
        if (a[5] != PyNone.Instance) r.Env = BytesArray(a[5]);
        if (a[17] != PyNone.Instance) r.Gid = IdArg(a[17], "gid");
        if (a[18] != PyNone.Instance)
        {
            if (a[18] is not PyList groups) throw Ops.TypeError("setgroups argument must be a list");
            if (groups.Count > 65536) throw Ops.ValueError("too many extra_groups");
            r.ExtraGroups = new long[groups.Count];
            for (int i = 0; i < groups.Count; i++) r.ExtraGroups[i] = IdArg(groups.Items[i], "gid");
        }
        if (a[19] != PyNone.Instance) r.Uid = IdArg(a[19], "uid");
        return r;
    }

    private static int IntArg(PyObject o)
    {
        if (o is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
        long v = Ops.IndexValue(o);
        if (v > int.MaxValue) throw Ops.OverflowError("signed integer is greater than maximum");
        if (v < int.MinValue) throw Ops.OverflowError("signed integer is less than minimum");
        return (int)v;
    }

    /// <summary>CPython's _Py_Uid_Converter/_Py_Gid_Converter: an index in 0..2**32-2, or -1.</summary>
    private static long IdArg(PyObject o, string what)
    {
        if (o is not PyInt && o.Type.Lookup(PyStr.Intern("__index__")) == null)
            throw Ops.TypeError($"{what} should be integer, not {o.Type.Name}");
        var v = Ops.IndexValue(o);
        if (v < -1) throw Ops.OverflowError($"{what} is less than minimum");
        if (v > uint.MaxValue - 1) throw Ops.OverflowError($"{what} is greater than maximum");
        return v == -1 ? uint.MaxValue : v;
    }

    /// <summary>CPython's _sanity_check_python_fd_sequence: ints, non-negative, strictly increasing.</summary>
    private static int[] FdSequence(PyTuple t)
    {
        var fds = new int[t.Items.Length];
        long prev = -1;
        for (int i = 0; i < fds.Length; i++)
        {
            if (t.Items[i] is not PyInt) throw Ops.ValueError("bad value(s) in fds_to_keep");
            long fd;
            try { fd = Ops.IndexValue(t.Items[i]); }
            catch (PyException) { throw Ops.ValueError("bad value(s) in fds_to_keep"); }
            if (fd < 0 || fd <= prev || fd > int.MaxValue) throw Ops.ValueError("bad value(s) in fds_to_keep");
            fds[i] = (int)fd;
            prev = fd;
        }
        return fds;
    }

    /// <summary>PyUnicode_FSConverter: str (UTF-8, surrogateescape), bytes or os.PathLike, no NUL inside.</summary>
    private static byte[] FsConvert(PyObject o)
    {
        var p = Fs.FsPath(o);
        byte[] b = p is PyStr s ? Fs.Encode(s.Value, false) : ((PyBytes)p).Span.ToArray();
        if (Array.IndexOf(b, (byte)0) >= 0) throw Ops.ValueError("embedded null byte");
        return b;
    }

    /// <summary>_PySequence_BytesToCharpArray: a sequence of bytes objects.</summary>
    private static byte[][] BytesArray(PyObject seq)
    {
        if (seq is PyStr || seq is PyInt || seq.Type.Lookup(PyStr.Intern("__len__")) == null)
            throw Ops.TypeError($"object of type '{seq.Type.Name}' has no len()");
        var items = Ops.ToArray(seq);
        var r = new byte[items.Length][];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is not PyBytes b) throw Ops.TypeError($"expected bytes, {items[i].Type.Name} found");
            r[i] = b.Span.ToArray();
        }
        return r;
    }

    /// <summary>What CPython's child gets from setgroups/setregid/setreuid without privileges: EPERM, unless the ids
    /// asked for are already the process's own. With privileges the change cannot be done by posix_spawn.</summary>
    private static int CheckIds(Request r)
    {
        bool change = r.ExtraGroups != null
            || (r.Gid is long g && (g != (uint)Libc.getgid() || g != (uint)Libc.getegid()))
            || (r.Uid is long u && (u != (uint)Libc.getuid() || u != (uint)Libc.geteuid()));
        if (!change) return 0;
        if (Libc.geteuid() == 0) throw Fs.Error(ENOTSUP);
        return EPERM;
    }

    /// <summary>CPython's child error report on errpipe_write: "OSError:" hex errno ":" and "noexec" when the failure
    /// came before exec (Lib then names cwd instead of the executable). The pid returned is this process's own, which
    /// Lib's waitpid answers with ChildProcessError (there is no child to reap: glibc reaped it).</summary>
    private static PyObject ReportFailure(int errpipeWrite, int errno, bool beforeExec)
    {
        var msg = System.Text.Encoding.ASCII.GetBytes($"OSError:{errno:x}:{(beforeExec ? "noexec" : "")}");
        fixed (byte* p = msg)
        {
            nint done = 0;
            while (done < msg.Length)
            {
                nint n = write(errpipeWrite, p + done, msg.Length - done);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (n <= 0) break;
                done += n;
            }
        }
        return PyInt.Get(Libc.getpid());
    }

    /// <summary>The errno chdir(cwd) would fail with in the child, 0 when it would succeed.</summary>
    private static int CheckCwd(byte[] cwd)
    {
        fixed (byte* p = Z(cwd))
        {
            int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0) return Marshal.GetLastPInvokeError();
            close(fd);
            return Libc.access(p, X_OK) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    private static byte[] Z(byte[] b)
    {
        var z = new byte[b.Length + 1];
        b.CopyTo(z, 0);
        return z;
    }

    private static PyObject Spawn(Request r)
    {
        // Steps CPython's child takes before exec that can fail: checked here, reported as "noexec" failures.
        foreach (int fd in new[] { r.P2cRead, r.C2pWrite, r.ErrWrite })
            if (fd != -1 && fcntl(fd, F_GETFD, 0) < 0) return ReportFailure(r.ErrpipeWrite, Marshal.GetLastPInvokeError(), true);
        if (r.Cwd != null)
        {
            int e = CheckCwd(r.Cwd);
            if (e != 0) return ReportFailure(r.ErrpipeWrite, e, true);
        }

        var natives = new List<nint>();
        var temps = new List<int>();
        void* fa = NativeMemory.AllocZeroed(FileActionsSize);
        void* attr = NativeMemory.AllocZeroed(AttrSize);
        void* sigs = NativeMemory.AllocZeroed(SigSetSize);
        posix_spawn_file_actions_init(fa);
        posix_spawnattr_init(attr);
        try
        {
            int setupError = AddFileActions(r, fa, temps);
            if (setupError != 0) return ReportFailure(r.ErrpipeWrite, setupError, true);
            short flags = SpawnSetSigMask;
            sigemptyset(sigs);
            posix_spawnattr_setsigmask(attr, sigs);
            if (r.RestoreSignals)
            {
                flags |= SpawnSetSigDef;
                sigaddset(sigs, SIGPIPE);
                sigaddset(sigs, SIGXFSZ);
                posix_spawnattr_setsigdefault(attr, sigs);
            }
            if (r.CallSetsid) flags |= SpawnSetSid;
            if (r.PgidToSet >= 0) { flags |= SpawnSetPgroup; posix_spawnattr_setpgroup(attr, r.PgidToSet); }
            posix_spawnattr_setflags(attr, flags);

            byte** argv = CharpArray(r.Argv ?? Array.Empty<byte[]>(), natives);
            byte** envp = r.Env != null ? CharpArray(r.Env, natives) : *(byte***)EnvironAddress;
            byte*[] paths = new byte*[r.Executables.Length];
            for (int i = 0; i < paths.Length; i++) paths[i] = CString(r.Executables[i], natives);

            // Like CPython's child: try each executable; report the first error that is not ENOENT/ENOTDIR, else the last.
            int savedError = 0, lastError = ENOENT, pid = 0;
            var ts = PosixModule.Lend(); // no Python object is touched until Reclaim
            try
            {
                for (int i = 0; i < paths.Length; i++)
                {
                    int err;
                    if (r.Env == null) envp = *(byte***)EnvironAddress;
                    do err = posix_spawn(&pid, paths[i], fa, attr, argv, envp); while (err == EINTR);
                    if (err == 0) { lastError = 0; break; }
                    lastError = err;
                    if (err != ENOENT && err != ENOTDIR && savedError == 0) savedError = err;
                }
            }
            finally { PosixModule.Reclaim(ts); }
            if (lastError == 0) return PyInt.Get(pid);
            return ReportFailure(r.ErrpipeWrite, savedError != 0 ? savedError : lastError, false);
        }
        finally
        {
            foreach (int fd in temps) close(fd);
            foreach (nint p in natives) NativeMemory.Free((void*)p);
            posix_spawnattr_destroy(attr);
            posix_spawn_file_actions_destroy(fa);
            NativeMemory.Free(sigs);
            NativeMemory.Free(attr);
            NativeMemory.Free(fa);
        }
    }

    /// <summary>The child's fd work as file actions, in CPython's order: the std fds (a source already in the std
    /// range but not at its place is first dup'd above 2 here, as CPython's child dups it, so an earlier dup2 cannot
    /// overwrite it; a source already in place gets dup2(fd, fd), which glibc turns into clearing FD_CLOEXEC), pass_fds
    /// made inheritable, chdir, then close_fds (everything from 3 up but pass_fds). Returns an errno or 0.</summary>
    private static int AddFileActions(Request r, void* fa, List<int> temps)
    {
        ReadOnlySpan<int> sources = stackalloc int[] { r.P2cRead, r.C2pWrite, r.ErrWrite };
        for (int target = 0; target < 3; target++)
        {
            int src = sources[target];
            if (src == -1) continue;
            if (src != target && src < 3)
            {
                int copy = fcntl(src, F_DUPFD_CLOEXEC, 3);
                if (copy < 0) return Marshal.GetLastPInvokeError();
                temps.Add(copy);
                src = copy;
            }
            int e = posix_spawn_file_actions_adddup2(fa, src, target);
            if (e != 0) return e;
        }
        int maxKeep = 2;
        foreach (int fd in r.FdsToKeep)
        {
            if (fd == r.ErrpipeWrite) continue; // the parent reports errors: the child never sees the pipe
            int e = posix_spawn_file_actions_adddup2(fa, fd, fd);
            if (e != 0) return e;
            maxKeep = fd;
        }
        if (r.Cwd != null)
        {
            fixed (byte* p = Z(r.Cwd))
            {
                int e = posix_spawn_file_actions_addchdir_np(fa, p); // glibc copies the path
                if (e != 0) return e;
            }
        }
        if (r.CloseFds)
        {
            int keepIndex = 0;
            for (int fd = 3; fd < maxKeep; fd++)
            {
                while (keepIndex < r.FdsToKeep.Length && r.FdsToKeep[keepIndex] < fd) keepIndex++;
                if (keepIndex < r.FdsToKeep.Length && r.FdsToKeep[keepIndex] == fd && fd != r.ErrpipeWrite) continue;
                int e = posix_spawn_file_actions_addclose(fa, fd); // a descriptor that is not open is skipped by glibc
                if (e != 0 && e != EBADF) return e;
            }
            int ce = posix_spawn_file_actions_addclosefrom_np(fa, maxKeep + 1);
            if (ce != 0) return ce;
        }
        return 0;
    }

    private static byte* CString(byte[] b, List<nint> natives)
    {
        var p = (byte*)NativeMemory.Alloc((nuint)b.Length + 1);
        natives.Add((nint)p);
        b.CopyTo(new Span<byte>(p, b.Length));
        p[b.Length] = 0;
        return p;
    }

    private static byte** CharpArray(byte[][] items, List<nint> natives)
    {
        var arr = (byte**)NativeMemory.Alloc((nuint)(items.Length + 1), (nuint)sizeof(byte*));
        natives.Add((nint)arr);
        for (int i = 0; i < items.Length; i++) arr[i] = CString(items[i], natives);
        arr[items.Length] = null;
        return arr;
    }
}
