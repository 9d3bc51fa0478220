using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using BuiltinsFactory = Invisible.Python.Builtins.BuiltinsModule;
using Invisible.Python.Importing;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>
/// The interpreter object (CPython's <c>PyInterpreterState</c>): everything one interpreter owns — its builtins, its
/// <c>sys</c> module and <c>sys.modules</c>, its import system, its lock and the thread states of the threads running
/// its code, its interrupt requests, the native bridge plugged into it, the sources its tracebacks quote. Nothing of it
/// is static, so several interpreters live side by side in one process (an attach session gets a fresh one each time,
/// tests run many). What stays static is shared and immutable once made: the built-in type objects, interned
/// strings, the small-int cache, the table of built-in (C-level) modules.
/// <para>Code reaches its interpreter through the thread state the eval loop passes along, or, where none is at hand
/// (built-in functions, type slots), through <see cref="ThreadState.Current"/>.</para>
/// </summary>
public sealed class InterpreterState
{
    /// <summary>The <c>builtins</c> module and its dict (what frames fall back to for names).</summary>
    public readonly PyModule BuiltinsModule;
    public readonly PyDict Builtins;
    /// <summary>The <c>sys</c> module of this interpreter (its streams, path, argv, <c>sys.modules</c>).</summary>
    public readonly SysModule Sys;
    public readonly ImportSystem Imports;
    public readonly InterpreterLock Lock;
    /// <summary><c>__del__</c> calls and weakref callbacks the .NET finalizer thread queued (<see cref="Finalization"/>).</summary>
    public readonly FinalizationQueue Finalizers;

    private readonly object _threadGate = new();
    private readonly List<ThreadState> _threads = new();
    /// <summary>CPython's default <c>sys.getrecursionlimit()</c>.</summary>
    public const int DefaultRecursionLimit = 1000;

    private int _recursionLimit = DefaultRecursionLimit;
    private int _interrupt;
    private INativeBridge? _bridge;
    private readonly Dictionary<string, string[]> _sources = new(StringComparer.Ordinal);

    /// <summary>The Python threads <c>_thread.start_new_thread</c> started in this interpreter (<c>_thread._count</c>,
    /// stopping them when the interpreter ends).</summary>
    public readonly Modules.Thread.ThreadRegistry Workers = new();
    /// <summary>The signal handlers waiting to run on the main thread (the <c>_signal</c> module's, once imported).</summary>
    internal Modules.SignalModule.SignalState? Signals;
    /// <summary>The managed id of the thread that entered this interpreter first (its main thread: KeyboardInterrupt
    /// and signal handlers run there).</summary>
    public int MainThreadId { get; private set; }

    public InterpreterState(TextWriter stdout, TextWriter stderr, TextReader stdin, string[] argv, string scriptDir, PythonOptions? options = null)
    {
        BuiltinsFactory.InitTypes();
        Lock = new InterpreterLock(this);
        Finalizers = new FinalizationQueue(this);
        BuiltinsModule = BuiltinsFactory.Create();
        Builtins = BuiltinsModule.ModDict;
        Sys = new SysModule(this, stdout, stderr, stdin, argv, scriptDir, options);
        if (Sys.Options.IntMaxStrDigits >= 0) IntMaxStrDigits = Sys.Options.IntMaxStrDigits;
        Sys.Modules.SetItem(PyStr.Of("builtins"), BuiltinsModule);
        Imports = new ImportSystem(this);
        Imports.Install();
    }

    /// <summary><c>sys.modules</c>.</summary>
    public PyDict Modules => Sys.Modules;

    /// <summary>sys.set_asyncgen_hooks(firstiter, finalizer) (per thread in CPython; per interpreter here: a thread
    /// state lives only while its thread is inside the interpreter, the hooks must outlive that).</summary>
    public PyObject? AsyncGenFirstIter, AsyncGenFinalizer;

    /// <summary>_contextvars: each thread's current context, by managed thread id (lock it to use it).</summary>
    internal readonly System.Collections.Generic.Dictionary<int, Modules.PyContext> Contexts = new();

    // ------------------------------------------------------------------ threads

    /// <summary>
    /// Make this interpreter the one the calling thread runs (CPython's <c>PyThreadState_Swap</c>): the thread gets its
    /// thread state for this interpreter (a new one at its outermost entry, the same one when nested) and
    /// <see cref="ThreadState.Current"/> is it until the returned entry is disposed. Hosts call it around running code
    /// (<see cref="PythonEngine"/> does), a native bridge around a C callback that runs Python (then also
    /// <see cref="InterpreterLock.EnterCallback"/>). Does not take the interpreter lock.
    /// </summary>
    public ThreadEntry Enter()
    {
        ThreadState? current = ThreadState.CurrentOrNull;
        if (current != null && ReferenceEquals(current.Interp, this))
        {
            current.Entries++;
            return new ThreadEntry(current, current);
        }
        var ts = new ThreadState(this, Environment.CurrentManagedThreadId) { Entries = 1 };
        lock (_threadGate)
        {
            if (MainThreadId == 0) MainThreadId = ts.ManagedThreadId;
            ts.RecursionLimit = _recursionLimit;
            ts.Interrupt = Volatile.Read(ref _interrupt);
            ts.LockArmed = Lock.Armed;
            ts.Bridge = _bridge;
            _threads.Add(ts);
        }
        ThreadState.Swap(ts);
        return new ThreadEntry(ts, current);
    }

    internal void Leave(ThreadState ts, ThreadState? previous)
    {
        if (--ts.Entries > 0) return;
        lock (_threadGate) _threads.Remove(ts);
        ThreadState.Swap(previous);
    }

    /// <summary>Sets a copy kept in every thread state of this interpreter (under the thread-state gate, so a thread
    /// state made concurrently gets the new value either way).</summary>
    private void ForEachThread(Action<ThreadState> update)
    {
        lock (_threadGate) foreach (ThreadState ts in _threads) update(ts);
    }

    /// <summary>The thread states of the threads running this interpreter now (faulthandler's dump of all threads).</summary>
    public ThreadState[] ThreadStates()
    {
        lock (_threadGate) return _threads.ToArray();
    }

    /// <summary>True while the thread <paramref name="managedThreadId"/> runs a native call made from Python.</summary>
    public bool InNativeCall(int managedThreadId)
    {
        lock (_threadGate)
            foreach (ThreadState ts in _threads)
                if (ts.ManagedThreadId == managedThreadId && Volatile.Read(ref ts.NativeCalls) > 0) return true;
        return false;
    }

    /// <summary>Make every thread of this interpreter stop at its next eval-loop check (a loop back-edge or a call):
    /// a switch request of the interpreter lock, a signal to handle, threads to stop.</summary>
    internal void RequestEvalBreak() => ForEachThread(static ts => Volatile.Write(ref ts.Interrupt, 1));

    /// <summary>The eval loop's check found its flag set (<see cref="RequestEvalBreak"/>, <see cref="RequestInterrupt"/>):
    /// queued finalizers run (any thread); a worker stops if the interpreter ends; the main thread (and C callbacks) run pending signal handlers and take
    /// an interrupt request as KeyboardInterrupt.</summary>
    internal void OnEvalBreak(ThreadState ts)
    {
        if (Finalizers.HasWork) Finalizers.Drain(ts);
        if (ts.IsWorker)
        {
            if (Workers.Stopping) throw global::Invisible.Python.Modules.Thread.ThreadRegistry.Stop();
            return;
        }
        if (Signals is { } signals && ts.ManagedThreadId == MainThreadId) signals.RunPending(ts);
        if (ClearInterrupt())
        {
            if (Signals is { } sig && ts.ManagedThreadId == MainThreadId && sig.TakeInterrupt(ts)) return;
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
        }
    }

    internal void OnLockArmed() => ForEachThread(static ts => ts.LockArmed = true);

    /// <summary><c>sys.get_int_max_str_digits()</c>: the most decimal digits int() parses and str() makes (0: no limit;
    /// see <see cref="PyInt.CheckDecimalDigits"/>).</summary>
    public int IntMaxStrDigits = PyInt.DefaultMaxStrDigits;

    /// <summary><c>sys.getrecursionlimit()</c> / <c>sys.setrecursionlimit()</c>.</summary>
    public int RecursionLimit
    {
        get => _recursionLimit;
        set
        {
            lock (_threadGate)
            {
                _recursionLimit = value;
                foreach (ThreadState ts in _threads) ts.RecursionLimit = value;
            }
        }
    }

    // ------------------------------------------------------------------ interrupts

    /// <summary>Ask the Python code this interpreter runs (on any of its threads) to stop: the eval loop raises
    /// KeyboardInterrupt at its next loop back-edge or function entry, where the script may catch it. Safe to call from
    /// any thread (a console's Ctrl-C handler, an attach session's relay); a request made while nothing runs is taken
    /// by the next code that runs (hosts that do not want that call <see cref="ClearInterrupt"/> before running new input).</summary>
    public void RequestInterrupt()
    {
        lock (_threadGate)
        {
            foreach (ThreadState ts in _threads) Volatile.Write(ref ts.Interrupt, 1);
            // Last: whoever sees the request pending (InterruptPending) finds every thread flagged already.
            Volatile.Write(ref _interrupt, 1);
        }
    }

    /// <summary>Withdraw a pending interrupt request; true if one was pending.</summary>
    public bool ClearInterrupt()
    {
        if (Interlocked.Exchange(ref _interrupt, 0) == 0) return false;
        ForEachThread(static ts => Volatile.Write(ref ts.Interrupt, 0));
        return true;
    }

    /// <summary>True while an interrupt request waits to be taken.</summary>
    public bool InterruptPending => Volatile.Read(ref _interrupt) != 0;

    // ------------------------------------------------------------------ the native bridge

    /// <summary>The native bridge plugged into this interpreter, if any (<see cref="INativeBridge"/>).</summary>
    public INativeBridge? Bridge => _bridge;

    /// <summary>Plug a native bridge in (once, before code runs): its module finder is consulted last by an import
    /// (the end of <c>sys.meta_path</c>: it never shadows a Python module), and Python functions get their native entry points from it (<see cref="INativeBridge"/>'s contract).</summary>
    public void InstallBridge(INativeBridge bridge)
    {
        if (_bridge != null) throw new InvalidOperationException("a native bridge is installed already");
        Imports.AddFinder(bridge);
        lock (_threadGate)
        {
            _bridge = bridge;
            foreach (ThreadState ts in _threads) ts.Bridge = bridge;
        }
    }

    // ------------------------------------------------------------------ sources (tracebacks)

    /// <summary>Remember the text of a source file or string so tracebacks can quote its lines.</summary>
    public void RegisterSource(string filename, string src)
    {
        string[] lines = src.Replace("\r\n", "\n").Split('\n');
        lock (_sources) _sources[filename] = lines;
    }

    /// <summary>Line <paramref name="line"/> of <paramref name="filename"/> (registered source, else the file), or null.</summary>
    public string? SourceLine(string filename, int line)
    {
        string[]? lines;
        lock (_sources) _sources.TryGetValue(filename, out lines);
        if (lines == null && File.Exists(filename))
        {
            try
            {
                lines = File.ReadAllText(filename).Replace("\r\n", "\n").Split('\n');
                lock (_sources) _sources[filename] = lines;
            }
            catch (IOException) { return null; }
        }
        if (lines == null || line < 1 || line > lines.Length) return null;
        var s = lines[line - 1];
        return s.Trim().Length == 0 ? null : s;
    }

    // ------------------------------------------------------------------ running code

    /// <summary>Run source in the given namespace (exec/eval, module import) on the calling thread, which must be
    /// running this interpreter.</summary>
    public PyObject RunSource(string src, string filename, bool eval, PyDict globals, PyDict? locals)
    {
        ThreadState ts = ThreadState.Current;
        RegisterSource(filename, src);
        return RunCode(PythonEngine.Compile(src, filename, eval), eval, globals, locals);
    }

    /// <summary>Run compiled module code (<see cref="RunSource"/>; <c>exec</c> of a code object compiled from an
    /// <c>_ast</c> tree) in the given namespace.</summary>
    public PyObject RunCode(Compiler.CodeObject code, bool eval, PyDict globals, PyDict? locals)
    {
        ThreadState ts = ThreadState.Current;
        if (locals != null && !ReferenceEquals(locals, globals))
        {
            // run with a separate locals dict: compile names as LOAD_NAME semantics is not available for
            // module code, so merge: execute in a temporary globals that chains to the real one.
            var tmp = globals.Copy();
            foreach (var kv in locals.Items()) tmp.SetItem(kv.Key, kv.Value);
            var fr = new Frame(code, tmp, null, Builtins);
            Interpreter.Execute(ts, fr);
            foreach (var kv in tmp.Items())
            {
                var orig = globals.GetOrNull(kv.Key);
                if (orig == null || !ReferenceEquals(orig, kv.Value)) { if (kv.Key is PyStr ks && ks.Value == "__eval_result__") continue; locals.SetItem(kv.Key, kv.Value); }
            }
            if (eval) return tmp.GetOrNull("__eval_result__") ?? PyNone.Instance;
            return PyNone.Instance;
        }
        var f = new Frame(code, globals, null, Builtins) { Locals = globals };
        Interpreter.Execute(ts, f);
        if (eval)
        {
            var r = globals.Pop(PyStr.Intern("__eval_result__"));
            return r ?? PyNone.Instance;
        }
        return PyNone.Instance;
    }
}
