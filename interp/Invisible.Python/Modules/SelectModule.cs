using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>select</c> (Modules/selectmodule.c) on Linux: <c>select()</c>, <c>poll</c> objects and <c>epoll</c>
/// objects over the real system calls (P/Invoke into libc). <c>select()</c> is served by poll(2) with select's
/// limits (descriptors below FD_SETSIZE) and results. Interrupted calls (EINTR) are retried with the time left, as
/// CPython does since PEP 475. selectors and asyncio's event loop sit on these.
/// </summary>
public static unsafe partial class SelectModule
{
    private const string C = "libc.so.6";
    private const int FdSetSize = 1024, EINTR = 4, EBADF = 9, ENOENT = 2;
    private const int PollIn = 1, PollPri = 2, PollOut = 4, PollErr = 8, PollHup = 16, PollNval = 32;
    private const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3, EpollCloexec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd { public int Fd; public short Events; public short REvents; }

    // struct epoll_event is packed on x86-64: 4 bytes of events, then 8 of data (12 in all)
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent { public uint Events; public ulong Data; }

    [LibraryImport(C, SetLastError = true)] private static partial int poll(PollFd* fds, ulong nfds, int timeout);
    [LibraryImport(C, SetLastError = true)] private static partial int epoll_create1(int flags);
    [LibraryImport(C, SetLastError = true)] private static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);
    [LibraryImport(C, SetLastError = true)] private static partial int epoll_wait(int epfd, EpollEvent* events, int maxevents, int timeout);
    [LibraryImport(C, SetLastError = true)] private static partial int close(int fd);

    private static readonly ArgParser SelectArgs = new("select", "rlist, wlist, xlist, timeout=None, /");
    private static readonly ArgParser PollRegisterArgs = new("register", "fd, eventmask=POLLIN | POLLPRI | POLLOUT, /");
    private static readonly ArgParser PollModifyArgs = new("modify", "fd, eventmask, /");
    private static readonly ArgParser PollPollArgs = new("poll", "timeout=None, /");
    private static readonly ArgParser EpollNewArgs = new("epoll", "sizehint=-1, flags=0");
    private static readonly ArgParser EpollRegisterArgs = new("register", "fd, eventmask=select.EPOLLIN | select.EPOLLPRI | select.EPOLLOUT");
    private static readonly ArgParser EpollModifyArgs = new("modify", "fd, eventmask");
    private static readonly ArgParser EpollFdArgs = new("unregister", "fd");
    private static readonly ArgParser EpollPollArgs = new("poll", "timeout=None, maxevents=-1");
    private static readonly ArgParser FromFdArgs = new("fromfd", "fd, /");

    private static PyType _pollType = null!, _epollType = null!;
    private static readonly object TypesGate = new();

    public static PyModule Create()
    {
        lock (TypesGate) if (_pollType == null) InitTypes();
        var m = new PyModule("select");
        m.Add("error", PyBaseException.OSErrorType);
        m.Add("poll", new PyBuiltinFunction("poll", (a, k) => { ArgParser.NoArgs("poll", a, k); return new PollObject(); }));
        m.Add("epoll", _epollType);
        m.AddFn("select", (a, k) => Select(SelectArgs.Parse(a, k)));
        foreach (var (name, value) in new (string, long)[]
        {
            ("POLLIN", PollIn), ("POLLPRI", PollPri), ("POLLOUT", PollOut), ("POLLERR", PollErr), ("POLLHUP", PollHup),
            ("POLLNVAL", PollNval), ("POLLRDNORM", 64), ("POLLRDBAND", 128), ("POLLWRNORM", 256), ("POLLWRBAND", 512),
            ("POLLMSG", 1024), ("POLLRDHUP", 0x2000),
            ("EPOLLIN", 1), ("EPOLLPRI", 2), ("EPOLLOUT", 4), ("EPOLLERR", 8), ("EPOLLHUP", 16), ("EPOLLRDNORM", 64),
            ("EPOLLRDBAND", 128), ("EPOLLWRNORM", 256), ("EPOLLWRBAND", 512), ("EPOLLMSG", 1024), ("EPOLLRDHUP", 0x2000),
            ("EPOLLEXCLUSIVE", 1L << 28), ("EPOLLONESHOT", 1L << 30), ("EPOLLET", 1L << 31), ("EPOLL_CLOEXEC", EpollCloexec),
            ("PIPE_BUF", 4096),
        })
            m.Add(name, PyInt.Get(value));
        return m;
    }

    // ---------------- timeouts ----------------

    /// <summary>A timeout in seconds (None: wait forever) as milliseconds for poll(2)/epoll_wait(2), rounded up
    /// (CPython's _PyTime_ROUND_CEILING); -1 for forever.</summary>
    private static long SecondsToMs(PyObject? timeout, bool negativeIsForever)
    {
        if (timeout == null || timeout == PyNone.Instance) return -1;
        double s;
        if (timeout is PyFloat f) s = f.V;
        else if (timeout is PyInt) s = (double)Ops.IndexValue(timeout);
        else if (Ops.GetAttrOrNull(timeout, PyStr.Intern("__float__")) != null) s = ArgParser.ToDouble(timeout);
        else throw Ops.TypeError("timeout must be an integer or None");
        if (double.IsNaN(s)) throw Ops.ValueError("Invalid value NaN (not a number)");
        if (s < 0)
        {
            if (negativeIsForever) return -1;
            throw Ops.ValueError("timeout must be non-negative");
        }
        double ms = Math.Ceiling(s * 1000.0);
        if (ms > int.MaxValue) throw Ops.Exc(PyBaseException.OverflowErrorType, "timeout is too large");
        return (long)ms;
    }

    /// <summary>poll(2) over <paramref name="fds"/>, retried on EINTR with what is left of the timeout (PEP 475).</summary>
    private static int PollWait(PollFd[] fds, long timeoutMs)
    {
        long deadline = timeoutMs < 0 ? 0 : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            int r;
            var ts = PosixModule.Lend(); // no Python object is touched until Reclaim
            fixed (PollFd* p = fds) r = poll(p, (ulong)fds.Length, (int)timeoutMs);
            int err = r < 0 ? Marshal.GetLastPInvokeError() : 0;
            PosixModule.Reclaim(ts);
            if (r >= 0) return r;
            timeoutMs = Retry(err, timeoutMs, deadline);
        }
    }

    /// <summary>epoll_wait(2), retried on EINTR as <see cref="PollWait"/>.</summary>
    private static int EpollWait(int epfd, EpollEvent[] events, long timeoutMs)
    {
        long deadline = timeoutMs < 0 ? 0 : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            int r;
            var ts = PosixModule.Lend();
            fixed (EpollEvent* p = events) r = epoll_wait(epfd, p, events.Length, (int)timeoutMs);
            int err = r < 0 ? Marshal.GetLastPInvokeError() : 0;
            PosixModule.Reclaim(ts);
            if (r >= 0) return r;
            timeoutMs = Retry(err, timeoutMs, deadline);
        }
    }

    /// <summary>After a failed wait: EINTR gives the time left (forever stays forever), anything else is OSError.</summary>
    private static long Retry(int err, long timeoutMs, long deadline)
    {
        if (err != EINTR) throw Fs.Error(err);
        PosixModule.CheckSignals(); // a signal handler's exception (KeyboardInterrupt) ends the wait
        return timeoutMs < 0 ? -1 : Math.Max(0, deadline - Environment.TickCount64);
    }

    /// <summary>A descriptor argument (PyObject_AsFileDescriptor): an int or an object with fileno(), never negative.</summary>
    private static int FdArg(PyObject o)
    {
        int fd = Fs.Fd(o);
        if (fd < 0) throw Ops.ValueError($"file descriptor cannot be a negative integer ({fd})");
        return fd;
    }

    // ---------------- select() ----------------

    private static PyObject Select(Args args)
    {
        var lists = new[] { args[0]!, args[1]!, args[2]! };
        long ms;
        var timeout = args.Has(3) ? args[3] : null;
        if (timeout == null || timeout == PyNone.Instance) ms = -1;
        else
        {
            if (timeout is not PyFloat && timeout is not PyInt && Ops.GetAttrOrNull(timeout, PyStr.Intern("__float__")) == null)
                throw Ops.TypeError("timeout must be a float or None");
            ms = SecondsToMs(timeout, false);
        }
        var objs = new List<PyObject>[3];
        var fds = new List<int>[3];
        var entries = new List<PollFd>();
        var index = new Dictionary<int, int>();
        short[] want = { PollIn, PollOut, PollPri };
        for (int l = 0; l < 3; l++)
        {
            objs[l] = new List<PyObject>();
            fds[l] = new List<int>();
            var it = Ops.GetIter(lists[l]);
            while (Ops.Next(it) is PyObject o)
            {
                int fd = FdArg(o);
                if (fd >= FdSetSize) throw Ops.ValueError("filedescriptor out of range in select()");
                objs[l].Add(o);
                fds[l].Add(fd);
                if (index.TryGetValue(fd, out int at)) { var e = entries[at]; e.Events |= want[l]; entries[at] = e; }
                else { index[fd] = entries.Count; entries.Add(new PollFd { Fd = fd, Events = want[l] }); }
            }
        }
        var arr = entries.ToArray();
        PollWait(arr, ms);
        var result = new PyObject[3];
        for (int l = 0; l < 3; l++)
        {
            var ready = new List<PyObject>();
            for (int i = 0; i < fds[l].Count; i++)
            {
                var e = arr[index[fds[l][i]]];
                // select(2) reports a bad descriptor as EBADF for the whole call
                if ((e.REvents & PollNval) != 0) throw Fs.Error(EBADF);
                int r = e.REvents;
                bool hit = l switch
                {
                    0 => (r & (PollIn | PollHup | PollErr)) != 0,
                    1 => (r & (PollOut | PollErr)) != 0,
                    _ => (r & PollPri) != 0,
                };
                if (hit) ready.Add(objs[l][i]);
            }
            result[l] = new PyList(ready.ToArray());
        }
        return new PyTuple(result);
    }

    // ---------------- poll objects ----------------

    private sealed class PollObject : PyObject
    {
        public readonly Dictionary<int, short> Fds = new();
        public bool Polling;
        public override PyType Type => _pollType;
    }

    private static short EventMask(PyObject o)
    {
        long v = Ops.IndexValue(o);
        if (v < 0) throw Ops.Exc(PyBaseException.OverflowErrorType, "can't convert negative int to unsigned");
        if (v > ushort.MaxValue) throw Ops.Exc(PyBaseException.OverflowErrorType, "Python int too large for C unsigned short");
        return unchecked((short)(ushort)v);
    }

    private static uint EpollMask(PyObject o)
    {
        long v = Ops.IndexValue(o);
        if (v < int.MinValue || v > uint.MaxValue) throw Ops.Exc(PyBaseException.OverflowErrorType, "Python int too large to convert to C unsigned int");
        return unchecked((uint)v);
    }

    private static void InitTypes()
    {
        var pt = new PyType("poll", PyType.ObjectType, null) { ModuleName = "select" };
        pt.AddMethod("register", (a, k) =>
        {
            var self = (PollObject)a[0];
            var args = PollRegisterArgs.Parse(a.Slice(1), k);
            int fd = FdArg(args[0]!);
            self.Fds[fd] = args.Has(1) ? EventMask(args[1]!) : (short)(PollIn | PollPri | PollOut);
            return PyNone.Instance;
        });
        pt.AddMethod("modify", (a, k) =>
        {
            var self = (PollObject)a[0];
            var args = PollModifyArgs.Parse(a.Slice(1), k);
            int fd = FdArg(args[0]!);
            short mask = EventMask(args[1]!);
            if (!self.Fds.ContainsKey(fd)) throw Fs.Error(ENOENT);
            self.Fds[fd] = mask;
            return PyNone.Instance;
        });
        pt.AddMethod("unregister", (a, k) =>
        {
            var self = (PollObject)a[0];
            if (a.Length != 2) throw Ops.TypeError($"unregister() takes exactly one argument ({a.Length - 1} given)");
            int fd = FdArg(a[1]);
            if (!self.Fds.Remove(fd)) throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyInt.Get(fd)));
            return PyNone.Instance;
        });
        pt.AddMethod("poll", (a, k) =>
        {
            var self = (PollObject)a[0];
            var args = PollPollArgs.Parse(a.Slice(1), k);
            long ms = MillisecondsArg(args.Has(0) ? args[0] : null);
            if (self.Polling) throw Ops.RuntimeError("concurrent poll() invocation");
            var arr = new PollFd[self.Fds.Count];
            int n = 0;
            foreach (var kv in self.Fds) arr[n++] = new PollFd { Fd = kv.Key, Events = kv.Value };
            self.Polling = true;
            int ready;
            try { ready = PollWait(arr, ms); }
            finally { self.Polling = false; }
            var list = new List<PyObject>(ready);
            foreach (var e in arr)
                if (e.REvents != 0) list.Add(new PyTuple(new PyObject[] { PyInt.Get(e.Fd), PyInt.Get((ushort)e.REvents) }));
            return new PyList(list.ToArray());
        });
        _pollType = pt;

        var et = new PyType("epoll", PyType.ObjectType, (cls, a, k) =>
        {
            var args = EpollNewArgs.Parse(a, k);
            long sizehint = args.Has(0) ? Ops.IndexValue(args[0]!) : -1;
            if (sizehint == 0 || sizehint < -1) throw Ops.ValueError("negative sizehint");
            int fd = epoll_create1(EpollCloexec);
            if (fd < 0) throw Fs.LastError();
            return new EpollObject(fd);
        }) { ModuleName = "select" };
        et.AddMethod("close", (a, k) => { ((EpollObject)a[0]).Close(); return PyNone.Instance; });
        et.AddMethod("fileno", (a, k) => PyInt.Get(((EpollObject)a[0]).CheckOpen()));
        et.AddMethod("register", (a, k) =>
        {
            var self = (EpollObject)a[0];
            var args = EpollRegisterArgs.Parse(a.Slice(1), k);
            int fd = FdArg(args[0]!);
            uint mask = args.Has(1) ? EpollMask(args[1]!) : (uint)(PollIn | PollPri | PollOut);
            self.Control(EpollCtlAdd, fd, mask);
            return PyNone.Instance;
        });
        et.AddMethod("modify", (a, k) =>
        {
            var self = (EpollObject)a[0];
            var args = EpollModifyArgs.Parse(a.Slice(1), k);
            self.Control(EpollCtlMod, FdArg(args[0]!), EpollMask(args[1]!));
            return PyNone.Instance;
        });
        et.AddMethod("unregister", (a, k) =>
        {
            var self = (EpollObject)a[0];
            var args = EpollFdArgs.Parse(a.Slice(1), k);
            self.Control(EpollCtlDel, FdArg(args[0]!), 0);
            return PyNone.Instance;
        });
        et.AddMethod("poll", (a, k) =>
        {
            var self = (EpollObject)a[0];
            var args = EpollPollArgs.Parse(a.Slice(1), k);
            int epfd = self.CheckOpen();
            long ms = SecondsToMs(args.Has(0) ? args[0] : null, true);
            long maxevents = args.Has(1) ? Ops.IndexValue(args[1]!) : -1;
            if (maxevents == -1) maxevents = FdSetSize - 1;
            else if (maxevents < 1) throw Ops.ValueError($"maxevents must be greater than 0, got {maxevents}");
            var events = new EpollEvent[maxevents];
            int n = EpollWait(epfd, events, ms);
            var list = new PyObject[n];
            for (int i = 0; i < n; i++)
                list[i] = new PyTuple(new PyObject[] { PyInt.Get((int)events[i].Data), PyInt.Get(events[i].Events) });
            return new PyList(list);
        });
        et.AddMethod("__enter__", (a, k) => { ((EpollObject)a[0]).CheckOpen(); return a[0]; });
        et.AddMethod("__exit__", (a, k) => { ((EpollObject)a[0]).Close(); return PyNone.Instance; });
        et.SetMember("fromfd", new PyClassMethod(new PyBuiltinFunction("fromfd", (a, k) =>
        {
            var args = FromFdArgs.Parse(a.Slice(1), k);
            return new EpollObject(Fs.Int(args[0]!));
        })));
        _epollType = et;
    }

    /// <summary>poll.poll's timeout: milliseconds (int or float, rounded up), None or negative for forever.</summary>
    private static long MillisecondsArg(PyObject? timeout)
    {
        if (timeout == null || timeout == PyNone.Instance) return -1;
        double ms;
        if (timeout is PyFloat f) ms = Math.Ceiling(f.V);
        else if (timeout is PyInt) ms = (double)Ops.IndexValue(timeout);
        else throw Ops.TypeError($"'{timeout.Type.Name}' object cannot be interpreted as an integer");
        if (ms < 0) return -1;
        if (ms > int.MaxValue) throw Ops.Exc(PyBaseException.OverflowErrorType, "Python int too large to convert to C int");
        return (long)ms;
    }

    private sealed class EpollObject : PyObject
    {
        private int _fd;
        public EpollObject(int fd) { _fd = fd; }
        public override PyType Type => _epollType;

        public int CheckOpen() => _fd >= 0 ? _fd : throw Ops.ValueError("I/O operation on closed epoll object");

        public void Close()
        {
            if (_fd < 0) return;
            int fd = _fd;
            _fd = -1;
            if (close(fd) < 0) throw Fs.LastError();
        }

        public void Control(int op, int fd, uint mask)
        {
            int epfd = CheckOpen();
            var ev = new EpollEvent { Events = mask, Data = (ulong)(uint)fd };
            if (epoll_ctl(epfd, op, fd, &ev) < 0) throw Fs.LastError();
        }

        public override PyObject? GetAttrOrNull(PyStr name) => name.Value == "closed" ? PyBool.Of(_fd < 0) : base.GetAttrOrNull(name);
    }
}
