using System;
using System.Runtime.InteropServices;
using System.Threading;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_signal</c> (Modules/signalmodule.c; Lib's <c>signal.py</c> adds the enums on top). A Python handler
/// runs as CPython's does: the signal only marks it pending (the .NET runtime receives the signal on its own thread,
/// <see cref="PosixSignalRegistration"/>), and the interpreter's main thread calls it between two bytecodes (an
/// eval break) or while it waits (<see cref="Thread.Blocking"/>). SIGINT stays with the host's Ctrl-C handling
/// (KeyboardInterrupt through <see cref="InterpreterState.RequestInterrupt"/>); a Python handler for it runs instead of
/// KeyboardInterrupt. <c>raise_signal</c> of a signal with a Python handler runs the handler before it returns, as
/// CPython's does.
/// <para>Inside another program (<c>invisible attach</c>, <see cref="PythonOptions.InsideTarget"/>), installing a
/// handler is refused with ValueError: the signals are the program's, and a session never takes them or changes their
/// disposition. Handlers are removed when the interpreter finishes (<see cref="SignalState.Dispose"/>).</para>
/// </summary>
public static partial class SignalModule
{
    public const int NSig = 65;
    private const int SigDfl = 0, SigIgn = 1;

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int raise(int sig);
    [LibraryImport("libc.so.6")]
    private static partial uint alarm(uint seconds);
    [LibraryImport("libc.so.6")]
    private static partial nint strsignal(int sig);
    [LibraryImport("libc.so.6")]
    private static partial int pthread_kill(nint thread, int sig);
    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_sigmask(int how, byte* set, byte* oldset);
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static unsafe partial int setitimer(int which, long* value, long* old);
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static unsafe partial int getitimer(int which, long* value);
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int siginterrupt(int sig, int flag);

    private static readonly (string Name, int Number)[] Numbers =
    {
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGILL", 4), ("SIGTRAP", 5), ("SIGABRT", 6), ("SIGIOT", 6),
        ("SIGBUS", 7), ("SIGFPE", 8), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGSEGV", 11), ("SIGUSR2", 12),
        ("SIGPIPE", 13), ("SIGALRM", 14), ("SIGTERM", 15), ("SIGSTKFLT", 16), ("SIGCHLD", 17), ("SIGCLD", 17),
        ("SIGCONT", 18), ("SIGSTOP", 19), ("SIGTSTP", 20), ("SIGTTIN", 21), ("SIGTTOU", 22), ("SIGURG", 23),
        ("SIGXCPU", 24), ("SIGXFSZ", 25), ("SIGVTALRM", 26), ("SIGPROF", 27), ("SIGWINCH", 28), ("SIGIO", 29),
        ("SIGPOLL", 29), ("SIGPWR", 30), ("SIGSYS", 31), ("SIGRTMIN", 34), ("SIGRTMAX", 64),
    };

    private static readonly ArgParser SignalArgs = new("signal", "signalnum, handler, /");
    private static readonly ArgParser GetSignalArgs = new("getsignal", "signalnum, /");
    private static readonly ArgParser RaiseArgs = new("raise_signal", "signalnum, /");
    private static readonly ArgParser StrSignalArgs = new("strsignal", "signalnum, /");
    private static readonly ArgParser AlarmArgs = new("alarm", "seconds, /");
    private static readonly ArgParser PthreadKillArgs = new("pthread_kill", "thread_id, signalnum, /");
    private static readonly ArgParser SigmaskArgs = new("pthread_sigmask", "how, mask, /");
    private static readonly ArgParser SetItimerArgs = new("setitimer", "which, seconds, interval=0.0, /");
    private static readonly ArgParser GetItimerArgs = new("getitimer", "which, /");
    private static readonly ArgParser WakeupArgs = new("set_wakeup_fd", "fd, /, *, warn_on_full_buffer=True");
    private static readonly ArgParser SigInterruptArgs = new("siginterrupt", "signalnum, flag, /");
    private static readonly ArgParser DefaultIntArgs = new("default_int_handler", "signalnum, frame, /");

    /// <summary>One interpreter's handlers and pending signals.</summary>
    public sealed class SignalState : IDisposable
    {
        private readonly InterpreterState _interp;
        private readonly PyObject[] _handlers = new PyObject[NSig];
        private readonly int[] _pending = new int[NSig];
        private readonly PosixSignalRegistration?[] _registrations = new PosixSignalRegistration?[NSig];
        private int _anyPending;
        public int WakeupFd = -1;

        internal SignalState(InterpreterState interp, PyObject defaultIntHandler)
        {
            _interp = interp;
            for (int i = 0; i < NSig; i++) _handlers[i] = PyInt.Get(SigDfl);
            _handlers[2] = defaultIntHandler;
            _handlers[13] = PyInt.Get(SigIgn); // SIGPIPE: ignored by the runtime, as by CPython at start-up
            _handlers[25] = PyInt.Get(SigIgn); // SIGXFSZ
        }

        public bool AnyPending => Volatile.Read(ref _anyPending) != 0;

        public PyObject Handler(int signum) => _handlers[signum];

        internal void SetHandler(int signum, PyObject handler, bool register)
        {
            _handlers[signum] = handler;
            if (signum == 2 || !register) return; // SIGINT: the host's Ctrl-C handling delivers it (TakeInterrupt)
            bool python = handler is not PyInt;
            bool ignore = handler is PyInt i && i.V == SigIgn;
            _registrations[signum]?.Dispose();
            _registrations[signum] = null;
            if (python || ignore)
            {
                int n = signum;
                _registrations[signum] = PosixSignalRegistration.Create((PosixSignal)signum, ctx =>
                {
                    ctx.Cancel = true; // no default action: the handler (or nothing, SIG_IGN) is what happens
                    if (_handlers[n] is PyInt) return;
                    MarkPending(n);
                });
            }
        }

        internal void MarkPending(int signum)
        {
            Volatile.Write(ref _pending[signum], 1);
            Volatile.Write(ref _anyPending, 1);
            _interp.RequestEvalBreak();
        }

        /// <summary>A signal as if it arrived (interrupt_main, raise_signal of a signal with a Python handler).</summary>
        internal void Simulate(InterpreterState interp, int signum)
        {
            if (signum == 2 && _handlers[2] is PyBuiltinFunction) { interp.RequestInterrupt(); return; }
            if (_handlers[signum] is PyInt h)
            {
                if (h.V == SigDfl) raise(signum);
                return;
            }
            MarkPending(signum);
        }

        /// <summary>On the main thread, at an eval break: call the handlers of the signals that arrived.</summary>
        internal void RunPending(ThreadState ts)
        {
            if (Interlocked.Exchange(ref _anyPending, 0) == 0) return;
            for (int n = 1; n < NSig; n++)
            {
                if (Interlocked.Exchange(ref _pending[n], 0) == 0) continue;
                PyObject h = _handlers[n];
                if (h is PyInt) continue;
                PyObject frame = ts.CurrentFrame is { } f ? PyFrameObject.Of(f) : PyNone.Instance;
                Ops.Call(h, new PyObject[] { PyInt.Get(n), frame });
            }
        }

        /// <summary>An interrupt request (Ctrl-C) on the main thread: true when a handler installed for SIGINT took it
        /// (a Python handler was called, or SIG_IGN); false: KeyboardInterrupt as usual.</summary>
        internal bool TakeInterrupt(ThreadState ts)
        {
            PyObject h = _handlers[2];
            if (h is PyInt i) return i.V == SigIgn;
            if (h is PyBuiltinFunction) return false; // default_int_handler
            PyObject frame = ts.CurrentFrame is { } f ? PyFrameObject.Of(f) : PyNone.Instance;
            Ops.Call(h, new PyObject[] { PyInt.Get(2), frame });
            return true;
        }

        /// <summary>The interpreter ends: give the signals back to the runtime's defaults.</summary>
        public void Dispose()
        {
            for (int i = 0; i < NSig; i++)
            {
                _registrations[i]?.Dispose();
                _registrations[i] = null;
            }
        }
    }

    private static int SigNum(PyObject o)
    {
        long n = Ops.IndexValue(o);
        if (n < 1 || n >= NSig) throw Ops.ValueError("signal number out of range");
        return (int)n;
    }

    private static PyException OsError(int errno) =>
        new(PyBaseException.Create(PyBaseException.OSErrorType, PyInt.Get(errno), PyStr.Of(Marshal.GetPInvokeErrorMessage(errno))));

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_signal");
        var defaultInt = new PyBuiltinFunction("default_int_handler", (a, k) =>
        {
            DefaultIntArgs.Parse(a, k);
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
        });
        var state = interp.Signals ??= new SignalState(interp, defaultInt);
        m.Add("default_int_handler", state.Handler(2) is PyBuiltinFunction b ? b : defaultInt);
        m.Add("SIG_DFL", PyInt.Get(SigDfl));
        m.Add("SIG_IGN", PyInt.Get(SigIgn));
        m.Add("NSIG", PyInt.Get(NSig));
        foreach (var (name, number) in Numbers) m.Add(name, PyInt.Get(number));
        m.Add("SIG_BLOCK", PyInt.Get(0));
        m.Add("SIG_UNBLOCK", PyInt.Get(1));
        m.Add("SIG_SETMASK", PyInt.Get(2));
        m.Add("ITIMER_REAL", PyInt.Get(0));
        m.Add("ITIMER_VIRTUAL", PyInt.Get(1));
        m.Add("ITIMER_PROF", PyInt.Get(2));
        var itimerError = new PyType("ItimerError", PyBaseException.OSErrorType, null) { ModuleName = "signal" };
        m.Add("ItimerError", itimerError);

        m.AddFn("signal", (a, k) =>
        {
            var args = SignalArgs.Parse(a, k);
            int n = SigNum(args[0]!);
            PyObject handler = args[1]!;
            ThreadState ts = ThreadState.Current;
            if (ts.ManagedThreadId != interp.MainThreadId)
                throw Ops.ValueError("signal only works in main thread of the main interpreter");
            if (handler is PyInt hi)
            {
                if (hi.V != SigDfl && hi.V != SigIgn)
                    throw Ops.TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
            }
            else if (!handler.IsCallable)
                throw Ops.TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
            if (n == 9 || n == 19) throw OsError(22);
            if (interp.Sys.Options.InsideTarget)
                throw Ops.ValueError("signal handlers cannot be installed in an attach session: the signals belong to the program it runs in");
            PyObject old = state.Handler(n);
            state.SetHandler(n, handler, register: true);
            return old;
        });
        m.AddFn("getsignal", (a, k) => state.Handler(SigNum(GetSignalArgs.Parse(a, k)[0]!)));
        m.AddFn("raise_signal", (a, k) =>
        {
            int n = SigNum(RaiseArgs.Parse(a, k)[0]!);
            if (interp.Sys.Options.InsideTarget)
                throw Ops.ValueError("raise_signal is refused in an attach session: the signal would go to the program it runs in");
            state.Simulate(interp, n);
            Thread.Blocking.CheckBreak(ThreadState.Current); // the handler runs before raise_signal returns
            return PyNone.Instance;
        });
        m.AddFn("strsignal", (a, k) =>
        {
            int n = SigNum(StrSignalArgs.Parse(a, k)[0]!);
            nint p = strsignal(n);
            return p == 0 ? PyNone.Instance : PyStr.Of(Marshal.PtrToStringUTF8(p) ?? "");
        });
        m.AddFn("valid_signals", (a, k) =>
        {
            ArgParser.NoArgs("valid_signals", a, k);
            var s = new PySet(false);
            for (int i = 1; i < NSig; i++) if (i != 32 && i != 33) s.Add(PyInt.Get(i));
            return s;
        });
        m.AddFn("alarm", (a, k) =>
        {
            long seconds = Ops.IndexValue(AlarmArgs.Parse(a, k)[0]!);
            if (interp.Sys.Options.InsideTarget)
                throw Ops.ValueError("alarm is refused in an attach session: SIGALRM would go to the program it runs in");
            return PyInt.Get(alarm((uint)Math.Clamp(seconds, 0, uint.MaxValue)));
        });
        m.AddFn("pthread_kill", (a, k) =>
        {
            var args = PthreadKillArgs.Parse(a, k);
            long thread = Ops.IndexValue(args[0]!);
            long n = Ops.IndexValue(args[1]!);
            if (interp.Sys.Options.InsideTarget && n != 0)
                throw Ops.ValueError("pthread_kill is refused in an attach session: the signal would go to the program it runs in");
            int rc = pthread_kill((nint)thread, (int)n);
            if (rc != 0) throw OsError(rc);
            Thread.Blocking.CheckBreak(ThreadState.Current);
            return PyNone.Instance;
        });
        m.AddFn("pthread_sigmask", (a, k) => Sigmask(interp, a, k));
        m.AddFn("setitimer", (a, k) =>
        {
            var args = SetItimerArgs.Parse(a, k);
            int which = (int)Ops.IndexValue(args[0]!);
            double seconds = args.Double(1), interval = args.Double(2, 0.0);
            if (interp.Sys.Options.InsideTarget)
                throw Ops.ValueError("setitimer is refused in an attach session: its signal would go to the program it runs in");
            return Itimer(which, seconds, interval, set: true, itimerError);
        });
        m.AddFn("getitimer", (a, k) => Itimer((int)Ops.IndexValue(GetItimerArgs.Parse(a, k)[0]!), 0, 0, set: false, itimerError));
        m.AddFn("set_wakeup_fd", (a, k) =>
        {
            var args = WakeupArgs.Parse(a, k);
            long fd = Ops.IndexValue(args[0]!);
            if (ThreadState.Current.ManagedThreadId != interp.MainThreadId)
                throw Ops.ValueError("set_wakeup_fd only works in main thread of the main interpreter");
            int old = state.WakeupFd;
            state.WakeupFd = (int)fd;
            return PyInt.Get(old);
        });
        m.AddFn("siginterrupt", (a, k) =>
        {
            var args = SigInterruptArgs.Parse(a, k);
            int n = SigNum(args[0]!);
            bool flag = Ops.IsTrue(args[1]!);
            if (interp.Sys.Options.InsideTarget) return PyNone.Instance; // nothing of the program's changes
            if (siginterrupt(n, flag ? 1 : 0) != 0) throw OsError(Marshal.GetLastPInvokeError());
            return PyNone.Instance;
        });
        return m;
    }

    private static unsafe PyObject Itimer(int which, double seconds, double interval, bool set, PyType error)
    {
        long* value = stackalloc long[4];
        long* old = stackalloc long[4];
        if (which < 0 || which > 2)
            throw new PyException(PyBaseException.Create(error, PyInt.Get(22), PyStr.Of("Invalid argument")));
        int rc;
        if (set)
        {
            value[0] = (long)interval; value[1] = (long)((interval - Math.Floor(interval)) * 1e6);
            value[2] = (long)seconds; value[3] = (long)((seconds - Math.Floor(seconds)) * 1e6);
            rc = setitimer(which, value, old);
        }
        else rc = getitimer(which, old);
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new PyException(PyBaseException.Create(error, PyInt.Get(errno), PyStr.Of(Marshal.GetPInvokeErrorMessage(errno))));
        }
        return new PyTuple(new PyObject[] { new PyFloat(old[2] + old[3] * 1e-6), new PyFloat(old[0] + old[1] * 1e-6) });
    }

    private static unsafe PyObject Sigmask(InterpreterState interp, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var args = SigmaskArgs.Parse(a, k);
        int how = (int)Ops.IndexValue(args[0]!);
        byte* set = stackalloc byte[128];
        byte* old = stackalloc byte[128];
        new Span<byte>(set, 128).Clear();
        new Span<byte>(old, 128).Clear();
        var it = Ops.GetIter(args[1]!);
        while (it.Next() is { } item)
        {
            int n = SigNum(item);
            set[(n - 1) / 8] |= (byte)(1 << ((n - 1) % 8));
        }
        if (how < 0 || how > 2) throw OsError(22);
        if (interp.Sys.Options.InsideTarget)
            throw Ops.ValueError("pthread_sigmask is refused in an attach session: the thread belongs to the program it runs in");
        int rc = pthread_sigmask(how, set, old);
        if (rc != 0) throw OsError(rc);
        var result = new PySet(false);
        for (int n = 1; n < NSig; n++)
            if ((old[(n - 1) / 8] & (1 << ((n - 1) % 8))) != 0) result.Add(PyInt.Get(n));
        Thread.Blocking.CheckBreak(ThreadState.Current);
        return result;
    }
}
