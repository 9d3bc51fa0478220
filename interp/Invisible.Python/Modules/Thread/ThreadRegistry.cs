using System;
using System.Collections.Generic;
using System.Diagnostics;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules.Thread;

/// <summary>
/// The Python threads one interpreter started (<c>_thread.start_new_thread</c>): their count (<c>_thread._count</c>)
/// and their end when the interpreter ends.
/// <para>The end (<see cref="StopAll"/>): an interpreter ends while threads of its own still run — daemon threads at
/// the end of <c>invisible python</c>, any thread when an attach session ends (the interpreter runs inside another
/// program, which goes on: no thread of the session may outlive it). Each is stopped the way a thread can be stopped
/// safely: SystemExit is raised in it at its next eval-loop check (a loop back-edge, a call), again at every later
/// check should it catch it, and its waits (sleep, lock acquire) end the same way; the ending thread waits for them a
/// short grace time, with the interpreter lock given up. A thread blocked in a native call cannot be stopped from
/// outside: it stops when its call returns (it never runs Python again).</para>
/// </summary>
public sealed class ThreadRegistry
{
    private readonly object _gate = new();
    private readonly List<System.Threading.Thread> _threads = new();
    private volatile bool _stopping;

    /// <summary>The interpreter ends: its threads stop, no new one starts.</summary>
    public bool Stopping => _stopping;

    /// <summary>Threads started and not finished yet.</summary>
    public int Count
    {
        get { lock (_gate) return _threads.Count; }
    }

    /// <summary>The exception a stopped worker unwinds with (SystemExit: threading's excepthook ignores it).</summary>
    public static PyException Stop()
    {
        if (ThreadState.CurrentOrNull is { } ts) System.Threading.Volatile.Write(ref ts.Interrupt, 1); // again at the next check
        return new PyException(PyBaseException.Create(PyBaseException.SystemExitType));
    }

    internal bool Add(System.Threading.Thread t)
    {
        lock (_gate)
        {
            if (_stopping) return false;
            _threads.Add(t);
            return true;
        }
    }

    internal void Remove(System.Threading.Thread t)
    {
        lock (_gate)
        {
            _threads.Remove(t);
            System.Threading.Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Stop every thread of <paramref name="interp"/> (class summary) and wait up to
    /// <paramref name="grace"/> for them; true when none is left. Called by the thread ending the interpreter.</summary>
    public bool StopAll(InterpreterState interp, TimeSpan grace)
    {
        lock (_gate)
        {
            _stopping = true;
            if (_threads.Count == 0) return true;
        }
        interp.RequestEvalBreak();
        ThreadState? ts = ThreadState.CurrentOrNull;
        if (ts != null && !ReferenceEquals(ts.Interp, interp)) ts = null;
        long token = ts != null ? interp.Lock.Detach(ts) : 0;
        try
        {
            long deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
            lock (_gate)
            {
                while (_threads.Count > 0)
                {
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0) return false;
                    System.Threading.Monitor.Wait(_gate, (int)Math.Max(1, left * 1000 / Stopwatch.Frequency));
                }
                return true;
            }
        }
        finally
        {
            if (ts != null) interp.Lock.Reattach(ts, token);
        }
    }
}
