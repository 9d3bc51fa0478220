using System;
using System.Runtime.CompilerServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>
/// One thread's state in one interpreter (CPython's <c>PyThreadState</c>): the recursion depth, the frame running, the
/// exception being handled, and private copies of the interpreter settings the eval loop reads on every call (recursion
/// limit, whether the interpreter lock is armed, a pending interrupt request, the native bridge), so the loop reaches
/// them with one load from the thread state it passes along, never through the interpreter object or a static.
/// <para>A thread state lives while its thread is inside its interpreter: <see cref="InterpreterState.Enter"/> makes
/// it at the thread's outermost entry (a host running code, a C callback on a thread C started) and drops it when that
/// entry returns; nested entries on the same thread share it. <see cref="Current"/> is the calling thread's (a
/// thread-static, as CPython's <c>_PyThreadState_GET()</c>): library code with no thread state at hand (built-in
/// functions, type slots) reaches its interpreter through it.</para>
/// </summary>
public sealed class ThreadState
{
    [ThreadStatic] private static ThreadState? t_current;

    /// <summary>The calling thread's thread state; throws when the thread runs no interpreter.</summary>
    public static ThreadState Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? NotEntered();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadState NotEntered() => throw new InvalidOperationException(
        "no Python interpreter runs on this thread (enter one with InterpreterState.Enter or run code through PythonEngine)");

    /// <summary>The calling thread's thread state, or null.</summary>
    public static ThreadState? CurrentOrNull => t_current;

    internal static void Swap(ThreadState? ts) => t_current = ts;

    public readonly InterpreterState Interp;
    /// <summary>The interpreter's lock (a copy of <see cref="InterpreterState.Lock"/>: one load on the native-call path).</summary>
    public readonly InterpreterLock Lock;
    public readonly int ManagedThreadId;

    /// <summary>Python frames running on this thread (checked against <see cref="RecursionLimit"/>).</summary>
    public int Depth;
    /// <summary>The innermost running frame (<c>sys._getframe()</c>, <c>globals()</c>, <c>locals()</c>).</summary>
    public Frame? CurrentFrame;
    /// <summary>The exception currently being handled (<c>sys.exc_info()</c>).</summary>
    public PyBaseException? CurrentExc;

    // Copies of interpreter settings, kept current by the interpreter under its thread-state gate.
    internal int RecursionLimit;
    /// <summary>Nonzero while an interrupt request of the interpreter waits (<see cref="InterpreterState.RequestInterrupt"/>).</summary>
    public int Interrupt;
    /// <summary>Native calls of this thread in progress (written only by this thread; read by a console's Ctrl-C
    /// handler, which then signals the thread so a blocking call returns early, as in CPython).</summary>
    public int NativeCalls;
    /// <summary>The interpreter lock is armed: frames take it (<see cref="InterpreterLock.Enter"/>).</summary>
    internal bool LockArmed;
    internal INativeBridge? Bridge;

    /// <summary>This thread's interpreter-lock word while it holds the lock (running or lent), else 0.</summary>
    internal long LockWord;
    /// <summary>This thread borrowed a lent lock (a C callback on a thread C started): it must give it back as it found
    /// it, so it neither detaches around blocking waits nor yields at a switch request.</summary>
    internal bool Borrowed;
    /// <summary>A thread started by <c>_thread.start_new_thread</c> (not the interpreter's main thread): KeyboardInterrupt
    /// and signal handlers are for the main thread, as in CPython.</summary>
    public bool IsWorker;
    /// <summary>The interpreter lock given up around a blocking system call (posix's Lend/Reclaim): the token to take it
    /// back with (<see cref="InterpreterLock.Detach"/>), or 0.</summary>
    internal long DetachToken;
    /// <summary>Entries of this thread into the interpreter that are still running (<see cref="InterpreterState.Enter"/>).</summary>
    internal int Entries;

    internal ThreadState(InterpreterState interp, int managedThreadId)
    {
        Interp = interp;
        Lock = interp.Lock;
        ManagedThreadId = managedThreadId;
    }
}

/// <summary>One entry of a thread into an interpreter (<see cref="InterpreterState.Enter"/>): disposing it leaves,
/// restoring the thread state the thread had before (another interpreter's, or none).</summary>
public readonly struct ThreadEntry : IDisposable
{
    private readonly ThreadState? _previous;

    internal ThreadEntry(ThreadState state, ThreadState? previous) { State = state; _previous = previous; }

    /// <summary>The thread state code runs with until the entry is disposed.</summary>
    public ThreadState State { get; }

    public void Dispose()
    {
        if (State is null) return;
        State.Interp.Leave(State, _previous);
    }
}
