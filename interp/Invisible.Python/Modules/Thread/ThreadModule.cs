using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules.Thread;

/// <summary>
/// CPython's <c>_thread</c> (Modules/_threadmodule.c): real OS threads running Python under the interpreter lock
/// (<see cref="InterpreterLock"/>). <c>start_new_thread</c> arms the lock (before that nothing pays for it), starts a
/// background .NET thread that enters the interpreter, takes the lock and calls the function; a thread gives the lock
/// up while it waits (locks, sleep, reads: <see cref="Blocking"/>) and every switch interval when another one waits
/// for it. Locks (<c>lock</c>, <c>RLock</c>), <c>get_ident</c> (the pthread id, as CPython), <c>get_native_id</c>
/// (the kernel tid), <c>_count</c>, <c>stack_size</c>, <c>TIMEOUT_MAX</c>, <c>_set_sentinel</c> (what
/// <c>Thread.join</c> waits on), <c>_excepthook</c>/<c>_ExceptHookArgs</c>, <c>interrupt_main</c>.
/// <c>_local</c> (<see cref="PyLocal"/>) gives <c>threading.local</c>.
/// <para>How threads end with their interpreter: <see cref="ThreadRegistry"/>.</para>
/// </summary>
public static partial class ThreadModule
{
    /// <summary>CPython's on Linux: the longest timeout a lock wait accepts, in seconds.</summary>
    public const double TimeoutMax = 9223372036.0;
    /// <summary>Stack of a thread started with <c>stack_size()</c> 0 (virtual memory: pages are used as touched).</summary>
    private const int DefaultStackSize = 64 << 20;

    [LibraryImport("libc.so.6")]
    private static partial nint pthread_self();
    [LibraryImport("libc.so.6")]
    private static partial int gettid();

    /// <summary><c>get_ident()</c>: the calling thread's pthread id (CPython's value).</summary>
    public static long Ident() => pthread_self();

    public static readonly StructSeq ExceptHookArgs = new("_thread", "_ExceptHookArgs",
        new[] { "exc_type", "exc_value", "exc_traceback", "thread" }, 4);

    private static readonly ArgParser StackSizeArgs = new("stack_size", "size=0, /");
    private static readonly ArgParser InterruptMainArgs = new("interrupt_main", "signum=2");

    /// <summary>The locks <c>_set_sentinel</c> made on this thread: released when the thread's function returns (what
    /// <c>Thread.join</c> waits for).</summary>
    [ThreadStatic] private static List<PyLock>? t_sentinels;

    private sealed class ModuleState
    {
        public int StackSize;
    }

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_thread");
        var state = new ModuleState();
        m.Add("__doc__", PyStr.Of("This module provides primitive operations to write multi-threaded programs.\nThe 'threading' module provides a more convenient interface."));
        m.Add("LockType", PyLock.LockType);
        m.Add("lock", PyLock.LockType);
        m.Add("RLock", PyRLock.RLockType);
        m.Add("error", PyBaseException.RuntimeErrorType);
        m.Add("TIMEOUT_MAX", new PyFloat(TimeoutMax));
        m.Add("_ExceptHookArgs", ExceptHookArgs.Type);
        m.Add("_local", PyLocal.LocalType);
        NativeFn start = (a, k) => StartNewThread(interp, state, a, k);
        m.AddFn("start_new_thread", start);
        m.AddFn("start_new", start);
        NativeFn allocate = (a, k) => { ArgParser.NoArgs("allocate_lock", a, k); return new PyLock(); };
        m.AddFn("allocate_lock", allocate);
        m.AddFn("allocate", allocate);
        m.AddFn("get_ident", (a, k) => { ArgParser.NoArgs("get_ident", a, k); return PyInt.Get(Ident()); });
        m.AddFn("get_native_id", (a, k) => { ArgParser.NoArgs("get_native_id", a, k); return PyInt.Get(gettid()); });
        m.AddFn("_count", (a, k) => { ArgParser.NoArgs("_count", a, k); return PyInt.Get(interp.Workers.Count); });
        m.AddFn("daemon_threads_allowed", (a, k) => { ArgParser.NoArgs("daemon_threads_allowed", a, k); return PyBool.True; });
        NativeFn exit = (a, k) =>
        {
            ArgParser.NoArgs("exit", a, k);
            throw new PyException(PyBaseException.Create(PyBaseException.SystemExitType));
        };
        m.AddFn("exit", exit);
        m.AddFn("exit_thread", exit);
        m.AddFn("stack_size", (a, k) =>
        {
            var args = StackSizeArgs.Parse(a, k);
            int old = state.StackSize;
            if (args[0] is { } s)
            {
                long size = Ops.IndexValue(s);
                if (size != 0 && (size < 32768 || size > int.MaxValue)) throw Ops.ValueError($"size not valid: {size} bytes");
                state.StackSize = (int)size;
            }
            return PyInt.Get(old);
        });
        m.AddFn("_set_sentinel", (a, k) =>
        {
            ArgParser.NoArgs("_set_sentinel", a, k);
            var l = new PyLock(); // unlocked: threading's Thread acquires it; the thread's end releases it
            (t_sentinels ??= new List<PyLock>()).Add(l);
            return l;
        });
        m.AddFn("interrupt_main", (a, k) =>
        {
            int signum = InterruptMainArgs.Parse(a, k).Int(0, 2);
            if (signum < 1 || signum >= SignalModule.NSig) throw Ops.ValueError("signal number out of range");
            if (interp.Signals is { } signals) signals.Simulate(interp, signum);
            else if (signum == 2) interp.RequestInterrupt();
            return PyNone.Instance;
        });
        m.AddFn("_excepthook", (a, k) => ExceptHook(interp, a, k));
        return m;
    }

    private static PyObject StartNewThread(InterpreterState interp, ModuleState state, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0) throw Ops.TypeError("start_new_thread() takes no keyword arguments");
        if (a.Length < 2 || a.Length > 3)
            throw Ops.TypeError(a.Length < 2 ? $"start_new_thread expected at least 2 arguments, got {a.Length}" : $"start_new_thread expected at most 3 arguments, got {a.Length}");
        PyObject func = a[0];
        if (!func.IsCallable) throw Ops.TypeError("first arg must be callable");
        if (a[1] is not PyTuple args) throw Ops.TypeError("2nd arg must be a tuple");
        PyDict? kwargs = null;
        if (a.Length == 3 && a[2] != PyNone.Instance) kwargs = a[2] as PyDict ?? throw Ops.TypeError("optional 3rd arg must be a dictionary");
        if (interp.Workers.Stopping) throw Ops.RuntimeError("can't create new thread at interpreter shutdown");

        // Keyword arguments as a call passes them: positional values then keyword values, names apart.
        PyObject[] callArgs = args.Items;
        PyStr[]? kwnames = null;
        if (kwargs != null && kwargs.Count > 0)
        {
            var all = new List<PyObject>(args.Items);
            var names = new List<PyStr>();
            foreach (var kv in kwargs.Items())
            {
                if (kv.Key is not PyStr name) throw Ops.TypeError("keywords must be strings");
                names.Add(name);
                all.Add(kv.Value);
            }
            callArgs = all.ToArray();
            kwnames = names.ToArray();
        }

        ThreadState ts = ThreadState.Current;
        interp.Lock.Arm(ts); // from now on Python execution takes the interpreter lock
        var started = new BinaryLock();
        started.TryAcquire();
        long ident = 0;
        System.Threading.Thread? thread = null;
        thread = new System.Threading.Thread(() =>
        {
            ident = Ident();
            started.Release();
            Run(interp, thread!, func, callArgs, kwnames);
        }, state.StackSize == 0 ? DefaultStackSize : Math.Max(state.StackSize, 256 << 10))
        {
            IsBackground = true, // a daemon thread must not keep the process alive (threading joins the others)
            Name = "python thread",
        };
        if (!interp.Workers.Add(thread)) throw Ops.RuntimeError("can't create new thread at interpreter shutdown");
        try { thread.Start(); }
        catch (OutOfMemoryException)
        {
            interp.Workers.Remove(thread);
            throw Ops.RuntimeError("can't start new thread");
        }
        catch (System.Threading.ThreadStartException)
        {
            interp.Workers.Remove(thread);
            throw Ops.RuntimeError("can't start new thread");
        }
        // Its ident, as CPython returns it: the new thread reports it before it waits for the interpreter lock.
        Blocking.Wait(ts, -1, started, BinaryLock.AcquireSlice);
        return PyInt.Get(ident);
    }

    /// <summary>The new thread's body: never lets an exception out (an unhandled exception on a .NET thread ends the
    /// process, which in an attach session is the target program).</summary>
    private static void Run(InterpreterState interp, System.Threading.Thread self, PyObject func, PyObject[] args, PyStr[]? kwnames)
    {
        try
        {
            using ThreadEntry entry = interp.Enter();
            ThreadState ts = entry.State;
            ts.IsWorker = true;
            interp.Lock.AcquireForThread(ts);
            try
            {
                if (!interp.Workers.Stopping) Ops.Call(func, args, kwnames);
            }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType))
            {
                // thread.exit(), or the interpreter stopped it
            }
            catch (PyException e)
            {
                if (!interp.Workers.Stopping) ReportUnraisable(interp, func, e.Value);
            }
            finally
            {
                if (t_sentinels is { } sentinels)
                {
                    foreach (var l in sentinels) l.Lock.Release();
                    t_sentinels = null;
                }
                ts.CurrentExc = null;
                interp.Lock.ReleaseForThread(ts);
            }
        }
        catch (Exception e)
        {
            try { Console.Error.WriteLine("invisible: internal error in a Python thread: " + e.GetType().Name + ": " + e.Message); }
            catch (Exception) { /* nowhere to report it */ }
        }
        finally
        {
            interp.Workers.Remove(self);
        }
    }

    /// <summary>CPython's "Exception ignored in thread started by: FUNC" and the traceback, on sys.stderr.</summary>
    private static void ReportUnraisable(InterpreterState interp, PyObject func, PyBaseException exc)
    {
        string text;
        try { text = exc.FormatTraceback(interp.SourceLine); }
        catch (PyException) { text = exc.Type.Name + "\n"; }
        string repr;
        try { repr = Ops.Repr(func); }
        catch (PyException) { repr = "<object>"; }
        try { interp.Sys.WriteStderr("Exception ignored in thread started by: " + repr + "\n" + text); }
        catch (PyException) { /* no stderr */ }
    }

    /// <summary><c>_thread._excepthook(args)</c>: threading.excepthook's default, CPython's text.</summary>
    private static PyObject ExceptHook(InterpreterState interp, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        Ops.NoKw(k, "_excepthook");
        if (a.Length != 1) throw Ops.TypeError($"_thread._excepthook() takes exactly one argument ({a.Length} given)");
        if (a[0] is not PyTuple t || !ReferenceEquals(t.Type, ExceptHookArgs.Type))
            throw Ops.TypeError("_thread._excepthook argument type must be ExceptHookArgs");
        PyObject excType = t.Items[0], excValue = t.Items[1], thread = t.Items[3];
        if (ReferenceEquals(excType, PyBaseException.SystemExitType)) return PyNone.Instance;
        PyObject? file = interp.Sys.Module.ModDict.GetOrNull("stderr");
        if (file == null || file == PyNone.Instance)
        {
            if (thread == PyNone.Instance) return PyNone.Instance;
            file = Ops.GetAttrOrNull(thread, PyStr.Intern("_stderr"));
            if (file == null || file == PyNone.Instance) return PyNone.Instance;
        }
        string name;
        PyObject? n = thread != PyNone.Instance ? Ops.GetAttrOrNull(thread, PyStr.Intern("name")) : null;
        name = n != null && n != PyNone.Instance ? Ops.Str(n) : Ident().ToString();
        var sb = new System.Text.StringBuilder();
        sb.Append("Exception in thread ").Append(name).Append(":\n");
        if (excValue is PyBaseException be) sb.Append(be.FormatTraceback(interp.SourceLine));
        else sb.Append(excType is PyType et ? et.Name : Ops.Str(excType)).Append('\n');
        Ops.CallMethod(file, "write", PyStr.Of(sb.ToString()));
        if (Ops.GetAttrOrNull(file, PyStr.Intern("flush")) is { } flush) Ops.Call(flush, ReadOnlySpan<PyObject>.Empty);
        return PyNone.Instance;
    }
}
