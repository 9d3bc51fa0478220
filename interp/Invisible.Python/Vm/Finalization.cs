using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>
/// <c>__del__</c> methods and weakref callbacks, over the .NET garbage collector (we have no reference counts: an
/// object dies when the collector finds it unreachable, not at its last <c>del</c>).
/// <para>The collector tells us through .NET finalizers of small sentinel objects, made only where there is work:
/// one per instance of a class that defines <c>__del__</c> (<see cref="Track"/>, kept alive by its object through a
/// <see cref="ConditionalWeakTable{TKey,TValue}"/>), the weak-reference list of a referent that has weakrefs
/// (<c>_weakref</c>'s), and one per generator suspended inside a try or with block (<see cref="CloserFor"/>: an
/// abandoned generator is closed, so its finally clauses run, as in CPython). A .NET finalizer runs on the finalizer thread, without the interpreter lock, maybe while the
/// interpreter runs code or while it is embedded in another program (<c>invisible attach</c>): it never runs Python
/// and touches no Python object's state, it only <em>enqueues</em> the work on its interpreter's queue
/// (<see cref="FinalizationQueue"/>) and asks for an eval break.</para>
/// <para>The queue is drained under the interpreter lock at safe points: at the end of <c>gc.collect()</c> (which
/// collects again while draining made more work), and at the eval loop's periodic check (where pending signals and
/// thread switches are taken), so a program that never calls <c>gc.collect()</c> still gets its finalizers, as
/// under PyPy. As PEP 442 says, <c>__del__</c> is called once per object, even if it resurrects the object.</para>
/// </summary>
public static class Finalization
{
    /// <summary>The objects whose class defines <c>__del__</c>, each with its sentinel (the sentinel holds its object
    /// strongly: the table keeps the pair alive exactly as long as the object is reachable from elsewhere, then the
    /// sentinel's .NET finalizer resurrects the object onto the queue).</summary>
    private static readonly ConditionalWeakTable<PyObject, DelSentinel> Tracked = new();

    /// <summary>A new instance of <paramref name="cls"/>: if its class defines <c>__del__</c>, arrange for it to be
    /// called once the object is unreachable. Called where instances of heap classes are made (type.__call__,
    /// object.__new__ and the built-in types' __new__).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OnNew(PyType cls, PyObject obj)
    {
        if (cls.IsHeap && cls.HasDel) Track(obj);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Track(PyObject obj)
    {
        if (ThreadState.CurrentOrNull is not { } ts) return;
        if (Tracked.TryGetValue(obj, out _)) return;
        Tracked.TryAdd(obj, new DelSentinel(obj, ts.Interp.Finalizers));
    }

    /// <summary>A sentinel that closes <paramref name="generator"/> (its finally clauses run) once it is unreachable;
    /// the generator holds it (a finished generator drops it).</summary>
    internal static object CloserFor(PyGenerator generator, ThreadState ts) => new GenCloser(generator, ts.Interp.Finalizers);

    private sealed class GenCloser
    {
        private readonly PyGenerator _gen;
        private readonly FinalizationQueue _queue;

        public GenCloser(PyGenerator gen, FinalizationQueue queue) { _gen = gen; _queue = queue; }

        // The finalizer thread: enqueue only.
        ~GenCloser() => _queue.EnqueueClose(_gen);
    }

    /// <summary><c>gc.is_finalized(obj)</c>: its <c>__del__</c> was called already.</summary>
    public static bool IsFinalized(PyObject obj) => Tracked.TryGetValue(obj, out var s) && s.Finalized;

    /// <summary>Held by an object whose class defines <c>__del__</c>; its .NET finalizer means the object became
    /// unreachable.</summary>
    private sealed class DelSentinel
    {
        private readonly PyObject _obj;
        private readonly FinalizationQueue _queue;
        public volatile bool Finalized;

        public DelSentinel(PyObject obj, FinalizationQueue queue) { _obj = obj; _queue = queue; }

        // The finalizer thread: enqueue only (see the class comment). Not registered again: __del__ runs once.
        ~DelSentinel()
        {
            Finalized = true;
            _queue.EnqueueDel(_obj);
        }
    }
}

/// <summary>
/// One interpreter's finalization work (<see cref="Finalization"/>): objects whose <c>__del__</c> is due, weakrefs
/// whose referent died and whose callback is due, generators to close. Filled by the .NET finalizer thread, drained
/// by a thread running this interpreter (<see cref="Drain"/>).
/// </summary>
public sealed class FinalizationQueue
{
    private enum Kind : byte { Del, Callback, CloseGenerator }

    private readonly struct Work
    {
        public readonly PyObject Target;
        public readonly PyObject? Callback;
        public readonly Kind Kind;
        public Work(PyObject target, PyObject? callback, Kind kind) { Target = target; Callback = callback; Kind = kind; }
    }

    private static readonly PyStr S___del__ = PyStr.Intern("__del__");
    private readonly InterpreterState _interp;
    private readonly object _gate = new();
    private List<Work> _pending = new();
    private List<Work> _spare = new();
    private int _count;
    /// <summary>A thread of this interpreter is draining (a finalizer's own code reaches a safe point: no nesting).</summary>
    private bool _draining;

    internal FinalizationQueue(InterpreterState interp) => _interp = interp;

    /// <summary>Work waits to be drained.</summary>
    public bool HasWork => Volatile.Read(ref _count) != 0;

    internal void EnqueueDel(PyObject obj) => Enqueue(new Work(obj, null, Kind.Del));

    /// <summary>The referent of <paramref name="weakref"/> died: call <paramref name="callback"/>(weakref).</summary>
    internal void EnqueueCallback(PyObject weakref, PyObject callback) => Enqueue(new Work(weakref, callback, Kind.Callback));

    /// <summary>A suspended generator became unreachable inside a try block: close it (its finally clauses run).</summary>
    internal void EnqueueClose(PyObject generator) => Enqueue(new Work(generator, null, Kind.CloseGenerator));

    // The finalizer thread (or a thread of this interpreter): a short lock, never Python.
    private void Enqueue(Work w)
    {
        bool first;
        lock (_gate)
        {
            first = _pending.Count == 0;
            _pending.Add(w);
            Volatile.Write(ref _count, _pending.Count);
        }
        // One eval break per batch: the thread that takes it drains everything queued by then.
        if (first) _interp.RequestEvalBreak();
    }

    /// <summary>Run the work queued so far (and what it queues meanwhile) on the calling thread, which runs this
    /// interpreter and holds its lock. Exceptions go to <c>sys.unraisablehook</c>, as CPython's. True if anything ran.
    /// Nested calls (a <c>__del__</c> reaching a safe point) return false at once.</summary>
    public bool Drain(ThreadState ts)
    {
        if (_draining || !HasWork) return false;
        _draining = true;
        bool ran = false;
        try
        {
            while (true)
            {
                List<Work> batch;
                lock (_gate)
                {
                    if (_pending.Count == 0) break;
                    batch = _pending;
                    _pending = _spare;
                    _spare = batch;
                    Volatile.Write(ref _count, 0);
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    Run(ts, batch[i]);
                    ran = true;
                }
                batch.Clear();
            }
        }
        finally { _draining = false; }
        return ran;
    }

    private void Run(ThreadState ts, in Work w)
    {
        PyObject? culprit = null;
        try
        {
            switch (w.Kind)
            {
                case Kind.Del:
                    if (w.Target.Type.LookupHeap(S___del__) is not { } del) return;
                    culprit = del;
                    Ops.CallArgs(del, w.Target);
                    break;
                case Kind.Callback:
                    culprit = w.Callback;
                    Ops.CallArgs(w.Callback!, w.Target);
                    break;
                case Kind.CloseGenerator:
                    culprit = w.Target;
                    ((PyGenerator)w.Target).Close();
                    break;
            }
        }
        catch (PyException e)
        {
            Unraisable.Write(ts.Interp, e.Value, culprit, null);
        }
    }
}
