using System;
using System.Threading;
using Invisible.Python.Vm;

namespace Invisible.Python.Native;

/// <summary>
/// The interpreter lock (CPython's GIL, for the same reason): interpreter state is process-wide
/// (<see cref="Interpreter.Depth"/>, <see cref="Interpreter.CurrentFrame"/>, inline caches, dicts), so only one
/// thread may run Python at a time, yet C called from Python may call a Python callback on another thread
/// (<c>pthread_create</c> with a Python start routine, a library's worker thread).
/// <list type="bullet">
/// <item>A thread holds the lock while it runs Python: taken by its outermost frame (the
/// <see cref="InterpreterState.Enter"/> hook), released when that frame returns.</item>
/// <item>Around every native call the holder <em>lends</em> it (one store, no atomic): another thread may then
/// borrow it, and the holder takes it back (one CAS) when the call returns, waiting while it is borrowed.</item>
/// <item>A callback on the holder's own thread (qsort's comparator) just takes its own lent lock back (one CAS)
/// and runs as a nested call; a callback on any other thread borrows or acquires the lock, saves the interpreter
/// state, runs from a fresh state, restores it, and gives the lock back as it found it.</item>
/// </list>
/// Nothing is paid until the first Python callable becomes a C function pointer (<see cref="Arm"/>): before that no
/// other thread can enter Python through the bridge.
/// Lock word: 0 free; <c>id &lt;&lt; 1</c> held by managed thread <c>id</c> running Python; <c>id &lt;&lt; 1 | 1</c> held
/// by <c>id</c> but lent (it is in native code).
/// </summary>
internal static class InterpreterLock
{
    private static long _word;
    private static int _waiters;
    private static readonly object Gate = new();
    private static volatile bool _armed;
    /// <summary>The word of the thread that armed the lock in the middle of its Python frames: those frames started
    /// without the Enter hook, so no Leave will release it. It gives the lock up when another thread finds it idle
    /// (<see cref="Interpreter.Depth"/> 0 while it holds the lock), or turns into an ordinary holder at its next
    /// outermost frame. Both sides claim the change with one CAS on this field.</summary>
    private static long _implicit;

    /// <summary>This thread's lock word while it holds the lock (running or lent), else 0.</summary>
    [ThreadStatic] private static long t_word;

    public static bool Armed => _armed;

    private static long Mine => (long)Environment.CurrentManagedThreadId << 1;

    /// <summary>From now on Python execution takes the lock. Called on a thread running Python when it makes the first
    /// Python callable into a C function pointer: before that no other thread can enter Python through the bridge.</summary>
    public static void Arm()
    {
        if (_armed) return;
        lock (Gate)
        {
            if (_armed) return;
            InterpreterState.Leave = Leave;
            InterpreterState.Enter = Enter;
            _armed = true;
        }
        if (Interpreter.Depth > 0 && t_word == 0)
        {
            long mine = Mine;
            AcquireOrBorrow(mine, borrow: false);
            t_word = mine;
            Volatile.Write(ref _implicit, mine);
        }
    }

    private static bool Enter()
    {
        long m = t_word;
        if (m != 0 && (Volatile.Read(ref _word) | 1) == (m | 1))
        {
            // Held already (nested frame). An implicit holder at a new outermost frame becomes an ordinary one.
            if (m != Volatile.Read(ref _implicit) || Interpreter.Depth != 0) return false;
            if (Interlocked.CompareExchange(ref _implicit, 0, m) == m) return true;
        }
        long mine = Mine;
        AcquireOrBorrow(mine, borrow: false);
        t_word = mine;
        return true;
    }

    private static void Leave()
    {
        t_word = 0;
        Release(0);
    }

    /// <summary>Before a native call from Python: lend the lock (if this thread holds it).</summary>
    public static void BeforeNative()
    {
        long m = t_word;
        if (m == 0) return;
        Volatile.Write(ref _word, m | 1);
        if (Volatile.Read(ref _waiters) != 0) Wake();
    }

    /// <summary>After the native call: take the lent lock back, waiting while another thread borrows it.</summary>
    public static void AfterNative()
    {
        long m = t_word;
        if (m == 0) return;
        if (Interlocked.CompareExchange(ref _word, m, m | 1) != (m | 1)) Reclaim(m);
    }

    private static void Reclaim(long mine)
    {
        lock (Gate)
        {
            _waiters++;
            try
            {
                while (Interlocked.CompareExchange(ref _word, mine, mine | 1) != (mine | 1)) Monitor.Wait(Gate, 20);
            }
            finally { _waiters--; }
        }
    }

    /// <summary>How a callback entered the lock (what <see cref="ExitCallback"/> restores).</summary>
    public readonly struct Entry
    {
        public Entry(int kind, long previous, InterpreterState state) { Kind = kind; Previous = previous; State = state; }
        /// <summary>0: nothing taken (not armed, or already running Python on this thread); 1: this thread's own lent
        /// lock taken back; 2: acquired or borrowed by another thread (interpreter state saved).</summary>
        public readonly int Kind;
        public readonly long Previous;
        public readonly InterpreterState State;
    }

    /// <summary>At a C → Python callback: make this thread the one running Python.</summary>
    public static Entry EnterCallback()
    {
        if (!_armed) return default;
        long m = t_word;
        if (m != 0)
        {
            long w = Volatile.Read(ref _word);
            if (w == m) return default; // already running Python here (a direct call of the pointer)
            // our own lent lock (qsort calling its comparator on the interpreter's thread): take it back, run nested
            if (Interlocked.CompareExchange(ref _word, m, m | 1) != (m | 1)) Reclaim(m);
            return new Entry(1, 0, default);
        }
        long mine = Mine;
        long previous = AcquireOrBorrow(mine, borrow: true);
        InterpreterState saved = InterpreterState.Save();
        InterpreterState.Reset();
        t_word = mine;
        return new Entry(2, previous, saved);
    }

    public static void ExitCallback(in Entry e)
    {
        switch (e.Kind)
        {
            case 1:
                Volatile.Write(ref _word, t_word | 1);
                if (Volatile.Read(ref _waiters) != 0) Wake();
                return;
            case 2:
                e.State.Restore();
                t_word = 0;
                Release(e.Previous);
                return;
        }
    }

    // ------------------------------------------------------------------ waiting

    /// <summary>Take the lock when free (returns 0), from an idle implicit holder (returns 0), or, with
    /// <paramref name="borrow"/>, when lent (returns the lent word, to give back); otherwise wait.</summary>
    private static long AcquireOrBorrow(long mine, bool borrow)
    {
        if (Interlocked.CompareExchange(ref _word, mine, 0) == 0) return 0;
        lock (Gate)
        {
            _waiters++;
            try
            {
                while (true)
                {
                    long w = Volatile.Read(ref _word);
                    if (w == 0)
                    {
                        if (Interlocked.CompareExchange(ref _word, mine, 0) == 0) return 0;
                        continue;
                    }
                    if ((w & 1) != 0)
                    {
                        if (borrow && Interlocked.CompareExchange(ref _word, mine, w) == w) return w;
                    }
                    else if (w == Volatile.Read(ref _implicit) && Interpreter.Depth == 0 &&
                             Interlocked.CompareExchange(ref _implicit, 0, w) == w)
                    {
                        // the thread that armed the lock has left its frames (script done, thread gone): take it over
                        if (Interlocked.CompareExchange(ref _word, mine, w) == w) return 0;
                        continue;
                    }
                    Monitor.Wait(Gate, 20);
                }
            }
            finally { _waiters--; }
        }
    }

    private static void Release(long restore)
    {
        Interlocked.Exchange(ref _word, restore);
        if (Volatile.Read(ref _waiters) != 0) Wake();
    }

    private static void Wake()
    {
        lock (Gate) Monitor.PulseAll(Gate);
    }
}
