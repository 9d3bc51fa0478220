using System;
using System.Runtime.InteropServices;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Socket;

/// <summary>
/// <c>_socket.socket</c> (CPython's PySocketSockObject): a descriptor, its family/type/proto and its timeout.
/// Timeout semantics are CPython's: None blocks (the descriptor is blocking), 0.0 is non-blocking, a positive
/// timeout makes the descriptor non-blocking and waits with poll(2) before each call (TimeoutError "timed out").
/// Every call that may block lends the interpreter lock, so other Python threads run meanwhile; EINTR is retried
/// after the signal handlers ran (PEP 475). Lib's <c>socket.socket</c> subclasses this type.
/// </summary>
internal sealed unsafe class SocketObject : PyObject
{
    private const int EINTR = 4, EAGAIN = 11, EINPROGRESS = 115, EISCONN = 106;
    private const short PollIn = 1, PollOut = 4;
    private const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;

    private readonly PyType _type;
    private PyDict? _dict;
    public int Fd = -1;
    public int Family, SockType, Proto;
    /// <summary>Seconds; negative: blocking without timeout (None).</summary>
    public double Timeout = -1;

    public SocketObject(PyType type) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();

    ~SocketObject()
    {
        // only the descriptor: a finalizer runs on the finalizer thread (CPython warns with ResourceWarning here)
        if (Fd >= 0) Native.close(Fd);
    }

    public void Init(int family, int type, int proto, PyObject? fileno)
    {
        if (fileno != null && fileno != PyNone.Instance)
        {
            long fd = fileno is PyFloat ? throw Ops.TypeError("'float' object cannot be interpreted as an integer") : Ops.IndexValue(fileno);
            if (fd < 0) throw Ops.ValueError("negative file descriptor");
            if (fd > int.MaxValue) throw Ops.OverflowError("file descriptor too large");
            Fd = (int)fd;
            if (family == -1) family = GetIntOpt(39 /* SO_DOMAIN */);
            if (type == -1) type = GetIntOpt(3 /* SO_TYPE */);
            if (proto == -1) proto = GetIntOpt(38 /* SO_PROTOCOL */);
        }
        else
        {
            if (family == -1) family = SocketAddress.AF_INET;
            if (type == -1) type = 1;
            if (proto == -1) proto = 0;
            int fd = Native.socket(family, type | SOCK_CLOEXEC, proto);
            if (fd < 0) throw Fs.LastError();
            Fd = fd;
        }
        Family = family;
        SockType = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
        Proto = proto;
        double dflt = SocketModule.DefaultTimeout;
        if ((type & SOCK_NONBLOCK) != 0) SetTimeout(0);
        else if (dflt >= 0) SetTimeout(dflt);
        else Timeout = -1;
    }

    private int GetIntOpt(int name)
    {
        int v = 0; uint len = 4;
        if (Native.getsockopt(Fd, 1, name, (byte*)&v, &len) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            Fd = -1;
            throw Fs.Error(e);
        }
        return v;
    }

    public void SetTimeout(double t)
    {
        Timeout = t;
        if (Fd >= 0) PosixModule.SetBlocking(Fd, t < 0);
    }

    public void CheckOpen()
    {
        if (Fd < 0) throw Fs.Error(9); // EBADF, as the kernel would say
    }

    /// <summary>Waits until the descriptor is ready for <paramref name="events"/>, at most until
    /// <paramref name="deadline"/> (TickCount64 ms); false on timeout.</summary>
    private bool Wait(short events, long deadline)
    {
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left < 0) left = 0;
            var pfd = new Native.PollFd { Fd = Fd, Events = events };
            var ts = PosixModule.Lend(); // no Python object is touched until Reclaim
            int r = Native.poll(&pfd, 1, (int)Math.Min(left, int.MaxValue));
            int err = r < 0 ? Marshal.GetLastPInvokeError() : 0;
            PosixModule.Reclaim(ts);
            if (r > 0) return true;
            if (r == 0) return false;
            if (err != EINTR) throw Fs.Error(err);
            PosixModule.CheckSignals();
        }
    }

    private static PyException TimedOut() => new(PyBaseException.Create(PyBaseException.All["TimeoutError"], "timed out"));

    /// <summary>CPython's sock_call: waits (with a timeout) then runs <paramref name="op"/> (returns &lt; 0 on error
    /// with errno set) with the lock lent; retries on EINTR and, with a timeout, on EAGAIN.</summary>
    public long Call(bool writing, delegate*<SocketObject, void*, long> op, void* state)
    {
        CheckOpen();
        long deadline = Timeout > 0 ? Environment.TickCount64 + (long)Math.Ceiling(Timeout * 1000) : 0;
        while (true)
        {
            if (Timeout > 0 && !Wait(writing ? PollOut : PollIn, deadline)) throw TimedOut();
            while (true)
            {
                var ts = PosixModule.Lend();
                long r = op(this, state);
                int err = r < 0 ? Marshal.GetLastPInvokeError() : 0;
                PosixModule.Reclaim(ts);
                if (r >= 0) return r;
                if (err == EINTR) { PosixModule.CheckSignals(); continue; }
                if (Timeout > 0 && err == EAGAIN) break;
                throw Fs.Error(err);
            }
        }
    }

    /// <summary>connect(2) with CPython's timeout handling; returns 0 or the errno (connect_ex), throwing when
    /// <paramref name="raise"/>.</summary>
    public int Connect(byte[] addr, uint len, bool raise)
    {
        CheckOpen();
        int r, err;
        var ts = PosixModule.Lend();
        fixed (byte* p = addr) r = Native.connect(Fd, p, len);
        err = r < 0 ? Marshal.GetLastPInvokeError() : 0;
        PosixModule.Reclaim(ts);
        if (r == 0) return 0;
        if (err == EINTR)
        {
            // the connection goes on in the background: wait for it as for EINPROGRESS (CPython's internal_connect)
            PosixModule.CheckSignals();
            if (Timeout == 0) { if (raise) throw Fs.Error(err); return err; }
            err = EINPROGRESS;
        }
        if (err == EINPROGRESS && Timeout != 0)
        {
            long deadline = Timeout > 0 ? Environment.TickCount64 + (long)Math.Ceiling(Timeout * 1000) : long.MaxValue;
            if (!Wait(PollOut, deadline))
            {
                if (raise) throw TimedOut();
                return EAGAIN; // CPython's connect_ex gives EWOULDBLOCK on a timeout
            }
            int soErr = 0; uint sl = 4;
            if (Native.getsockopt(Fd, 1, 4 /* SO_ERROR */, (byte*)&soErr, &sl) < 0) err = Marshal.GetLastPInvokeError();
            else err = soErr;
            if (err == EISCONN) err = 0;
        }
        if (err != 0 && raise) throw Fs.Error(err);
        return err;
    }

    public void Close()
    {
        int fd = Fd;
        if (fd < 0) return;
        Fd = -1;
        // ECONNRESET on close is not an error (CPython ignores it too)
        if (Native.close(fd) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e != 104) throw Fs.Error(e);
        }
    }

    public override string Repr() => $"<socket object, fd={Fd}, family={Family}, type={SockType}, proto={Proto}>";
}
