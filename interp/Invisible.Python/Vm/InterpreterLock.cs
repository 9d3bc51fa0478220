using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Invisible.Python.Vm;

/// <summary>
/// An interpreter's lock (CPython's GIL, for the same reason): the state of one interpreter (dicts, inline caches,
/// module objects) is shared by the threads that run its code, so only one of them may run Python at a time, yet C
/// called from Python may call a Python callback on another thread (<c>pthread_create</c> with a Python start
/// routine, a library's worker thread). Each thread keeps its own <see cref="ThreadState"/> (depth, frame, handled
/// exception), so a callback on another thread runs from a fresh state of its own.
/// <list type="bullet">
/// <item>A thread holds the lock while it runs Python: taken by its outermost frame (<see cref="Enter"/>, called by
/// the eval loop when <see cref="ThreadState.LockArmed"/>), released when that frame returns.</item>
/// <item>Around every native call the holder <em>lends</em> it (one store, no atomic: <see cref="BeforeNative"/>):
/// another thread may then borrow it, and the holder takes it back (one CAS, <see cref="AfterNative"/>) when the
/// call returns, waiting while it is borrowed.</item>
/// <item>A callback on the holder's own thread (qsort's comparator) just takes its own lent lock back (one CAS) and
/// runs as a nested call; a callback on any other thread borrows or acquires the lock (<see cref="EnterCallback"/>)
/// and gives it back as it found it (<see cref="ExitCallback"/>).</item>
/// </list>
/// Nothing is paid until the first Python callable becomes a C function pointer (<see cref="Arm"/>, called by the
/// native bridge): before that no other thread can enter Python through the bridge.
/// Lock word: 0 free; <c>id &lt;&lt; 1</c> held by managed thread <c>id</c> running Python; <c>id &lt;&lt; 1 | 1</c> held
/// by <c>id</c> but lent (it is in native code).
/// </summary>
public sealed class InterpreterLock
{
    private readonly InterpreterState _interp;
    private long _word;
    private int _waiters;
    private readonly object _gate = new();
    private volatile bool _armed;
    /// <summary>The word of the thread that armed the lock in the middle of its Python frames: those frames started
    /// without <see cref="Enter"/>, so no <see cref="Leave"/> will release it. It gives the lock up when another thread
    /// finds it idle (its depth 0 while it holds the lock), or turns into an ordinary holder at its next outermost
    /// frame. Both sides claim the change with one CAS on this field.</summary>
    private long _implicit;
    /// <summary>The thread state of the implicit holder (whose depth says whether it is idle).</summary>
    private volatile ThreadState? _implicitState;

    internal InterpreterLock(InterpreterState interp) => _interp = interp;

    public bool Armed => _armed;

    private static long Mine => (long)Environment.CurrentManagedThreadId << 1;

    /// <summary>From now on Python execution takes the lock. Called on a thread running Python (<paramref name="ts"/>)
    /// when it makes the first Python callable into a C function pointer: before that no other thread can enter Python
    /// through the bridge.</summary>
    public void Arm(ThreadState ts)
    {
        if (_armed) return;
        lock (_gate)
        {
            if (_armed) return;
            _armed = true;
            _interp.OnLockArmed();
        }
        if (ts.Depth > 0 && ts.LockWord == 0)
        {
            long mine = Mine;
            AcquireOrBorrow(mine, borrow: false);
            ts.LockWord = mine;
            _implicitState = ts;
            Volatile.Write(ref _implicit, mine);
        }
    }

    /// <summary>Before a frame runs (eval loop, when armed): true when it acquired the lock for this thread (its
    /// outermost frame); <see cref="Leave"/> is then called after that frame.</summary>
    internal bool Enter(ThreadState ts)
    {
        long m = ts.LockWord;
        if (m != 0 && (Volatile.Read(ref _word) | 1) == (m | 1))
        {
            // Held already (nested frame). An implicit holder at a new outermost frame becomes an ordinary one.
            if (m != Volatile.Read(ref _implicit) || ts.Depth != 0) return false;
            if (Interlocked.CompareExchange(ref _implicit, 0, m) == m) { _implicitState = null; return true; }
        }
        long mine = Mine;
        AcquireOrBorrow(mine, borrow: false);
        ts.LockWord = mine;
        return true;
    }

    internal void Leave(ThreadState ts)
    {
        ts.LockWord = 0;
        Release(0);
    }

    /// <summary>Before a native call from Python: lend the lock (if this thread holds it). Inlined into every native
    /// call: a thread that does not hold the lock (it is not armed) pays one load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BeforeNative(ThreadState ts)
    {
        long m = ts.LockWord;
        if (m != 0) Lend(m);
    }

    private void Lend(long m)
    {
        Volatile.Write(ref _word, m | 1);
        if (Volatile.Read(ref _waiters) != 0) Wake();
    }

    /// <summary>After the native call: take the lent lock back, waiting while another thread borrows it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AfterNative(ThreadState ts)
    {
        long m = ts.LockWord;
        if (m != 0 && Interlocked.CompareExchange(ref _word, m, m | 1) != (m | 1)) Reclaim(m);
    }

    private void Reclaim(long mine)
    {
        lock (_gate)
        {
            _waiters++;
            try
            {
                while (Interlocked.CompareExchange(ref _word, mine, mine | 1) != (mine | 1)) Monitor.Wait(_gate, 20);
            }
            finally { _waiters--; }
        }
    }

    /// <summary>How a callback entered the lock (what <see cref="ExitCallback"/> restores).</summary>
    public readonly struct Entry
    {
        public Entry(int kind, long previous) { Kind = kind; Previous = previous; }
        /// <summary>0: nothing taken (not armed, or already running Python on this thread); 1: this thread's own lent
        /// lock taken back; 2: acquired or borrowed by a thread that did not hold it.</summary>
        public readonly int Kind;
        public readonly long Previous;
    }

    /// <summary>At a C → Python callback, on the thread state the callback runs with (<see cref="InterpreterState.Enter"/>):
    /// make this thread the one running Python.</summary>
    public Entry EnterCallback(ThreadState ts)
    {
        if (!_armed) return default;
        long m = ts.LockWord;
        if (m != 0)
        {
            long w = Volatile.Read(ref _word);
            if (w == m) return default; // already running Python here (a direct call of the pointer)
            // our own lent lock (qsort calling its comparator on the interpreter's thread): take it back, run nested
            if (Interlocked.CompareExchange(ref _word, m, m | 1) != (m | 1)) Reclaim(m);
            return new Entry(1, 0);
        }
        long mine = Mine;
        long previous = AcquireOrBorrow(mine, borrow: true);
        ts.LockWord = mine;
        ts.Borrowed = previous != 0;
        return new Entry(2, previous);
    }

    public void ExitCallback(ThreadState ts, in Entry e)
    {
        switch (e.Kind)
        {
            case 1:
                Volatile.Write(ref _word, ts.LockWord | 1);
                if (Volatile.Read(ref _waiters) != 0) Wake();
                return;
            case 2:
                ts.LockWord = 0;
                ts.Borrowed = false;
                Release(e.Previous);
                return;
        }
    }

    // ------------------------------------------------------------------ waiting

    /// <summary>Take the lock when free (returns 0), from an idle implicit holder (returns 0), or, with
    /// <paramref name="borrow"/>, when lent (returns the lent word, to give back); otherwise wait.</summary>
    private long AcquireOrBorrow(long mine, bool borrow)
    {
        if (Interlocked.CompareExchange(ref _word, mine, 0) == 0) { Interlocked.Increment(ref _acquisitions); return 0; }
        lock (_gate)
        {
            _waiters++;
            long waitStart = Stopwatch.GetTimestamp();
            try
            {
                while (true)
                {
                    long w = Volatile.Read(ref _word);
                    if (w == 0)
                    {
                        if (Interlocked.CompareExchange(ref _word, mine, 0) == 0) { Interlocked.Increment(ref _acquisitions); return 0; }
                        continue;
                    }
                    if ((w & 1) != 0)
                    {
                        if (borrow && Interlocked.CompareExchange(ref _word, mine, w) == w) return w;
                    }
                    else if (w == Volatile.Read(ref _implicit) && _implicitState is { Depth: 0 } &&
                             Interlocked.CompareExchange(ref _implicit, 0, w) == w)
                    {
                        // the thread that armed the lock has left its frames (script done, thread gone): take it over
                        _implicitState = null;
                        if (Interlocked.CompareExchange(ref _word, mine, w) == w) { Interlocked.Increment(ref _acquisitions); return 0; }
                        continue;
                    }
                    Monitor.Wait(_gate, WaitSliceMs);
                    if ((w & 1) == 0 && Stopwatch.GetTimestamp() - waitStart >= Volatile.Read(ref _switchTicks))
                    {
                        // The holder ran Python for a whole switch interval while we waited: ask it to let go at its
                        // next loop back-edge or call (CPython's gil_drop_request).
                        waitStart = Stopwatch.GetTimestamp();
                        if (Volatile.Read(ref _word) == w)
                        {
                            Volatile.Write(ref _dropRequest, 1);
                            _interp.RequestEvalBreak();
                        }
                    }
                }
            }
            finally { _waiters--; }
        }
    }

    // ------------------------------------------------------------------ Python threads (_thread)

    /// <summary>sys.setswitchinterval (5 ms by default): how long a thread waiting for the lock lets the holder run
    /// Python before asking it to switch.</summary>
    private long _switchTicks = Stopwatch.Frequency / 200;
    /// <summary>A waiter asked the holder to let go (<see cref="YieldIfRequested"/>).</summary>
    private int _dropRequest;
    /// <summary>Acquisitions so far: a yielding holder waits until someone else took the lock.</summary>
    private long _acquisitions;

    private int WaitSliceMs => (int)Math.Clamp(Volatile.Read(ref _switchTicks) * 1000 / Stopwatch.Frequency, 1, 20);

    /// <summary>sys.getswitchinterval / sys.setswitchinterval, in seconds.</summary>
    public double SwitchInterval
    {
        get => (double)Volatile.Read(ref _switchTicks) / Stopwatch.Frequency;
        set => Volatile.Write(ref _switchTicks, Math.Max(1, (long)(value * Stopwatch.Frequency)));
    }

    /// <summary>A thread started by <c>_thread.start_new_thread</c> takes the lock before it touches any Python object
    /// (its function may be a built-in one: no frame would take it).</summary>
    public void AcquireForThread(ThreadState ts)
    {
        long mine = Mine;
        AcquireOrBorrow(mine, borrow: false);
        ts.LockWord = mine;
    }

    /// <summary>The thread's function returned: the lock is free for the others.</summary>
    public void ReleaseForThread(ThreadState ts)
    {
        if (ts.LockWord == 0) return;
        ts.LockWord = 0;
        Release(0);
    }

    /// <summary>Before a blocking wait (time.sleep, a lock's acquire, a read): give the lock up entirely so other
    /// Python threads run meanwhile (CPython's <c>Py_BEGIN_ALLOW_THREADS</c>); <see cref="Reattach"/> with the returned
    /// token takes it back. No Python object may be touched in between. A thread that borrowed a lent lock (a C
    /// callback) keeps it: it must give it back as it found it.</summary>
    public long Detach(ThreadState ts)
    {
        long m = ts.LockWord;
        if (m == 0 || ts.Borrowed || Volatile.Read(ref _word) != m) return 0;
        Release(0);
        return m;
    }

    /// <summary>After the blocking wait: wait for the lock and hold it again (<see cref="Detach"/>'s token).</summary>
    public void Reattach(ThreadState ts, long token)
    {
        if (token == 0) return;
        AcquireOrBorrow(token, borrow: false);
    }

    /// <summary>At an eval-loop check: a waiter asked for the lock (switch interval elapsed): let it run, then wait for
    /// our turn again (CPython's FORCE_SWITCHING: the lock goes to another thread, not back to us at once).</summary>
    internal void YieldIfRequested(ThreadState ts)
    {
        if (Volatile.Read(ref _dropRequest) == 0) return;
        long m = ts.LockWord;
        if (m == 0 || ts.Borrowed || Volatile.Read(ref _word) != m) return;
        Volatile.Write(ref _dropRequest, 0);
        long before = Volatile.Read(ref _acquisitions);
        Release(0);
        lock (_gate)
        {
            // bounded: a waiter that only reclaims a lent lock never takes a free one
            for (int i = 0; i < 20 && Volatile.Read(ref _acquisitions) == before && _waiters > 0; i++) Monitor.Wait(_gate, 1);
        }
        AcquireOrBorrow(m, borrow: false);
    }

    private void Release(long restore)
    {
        Interlocked.Exchange(ref _word, restore);
        if (Volatile.Read(ref _waiters) != 0) Wake();
    }

    private void Wake()
    {
        lock (_gate) Monitor.PulseAll(_gate);
    }
}
