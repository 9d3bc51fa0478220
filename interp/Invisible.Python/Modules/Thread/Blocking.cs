using System;
using System.Diagnostics;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules.Thread;

/// <summary>
/// How a built-in function waits (a lock's acquire, time.sleep, a thread's join): with the interpreter lock given up
/// (other Python threads run meanwhile), in short slices, and between two slices, holding the lock again, it does
/// what CPython's wait does when a signal interrupts it: the main thread runs pending signal handlers and takes an
/// interrupt request (Ctrl-C) as KeyboardInterrupt; a worker thread stops when its interpreter ends.
/// </summary>
public static class Blocking
{
    /// <summary>Longest uninterrupted wait: how late an interrupt request, a signal or the end of the interpreter may be
    /// noticed by a waiting thread.</summary>
    public const int SliceMs = 20;

    /// <summary>One slice of a wait: true when the awaited thing happened (wait at most the given milliseconds).</summary>
    public delegate bool Slice<T>(T state, int milliseconds);

    /// <summary>Wait until <paramref name="slice"/> succeeds (true) or <paramref name="timeoutSeconds"/> passes
    /// (false; negative: no timeout). Between slices: signal handlers, KeyboardInterrupt, the end of the interpreter
    /// (see the class summary). The first slice runs without waiting when <paramref name="tryFirst"/>.</summary>
    public static bool Wait<T>(ThreadState ts, double timeoutSeconds, T state, Slice<T> slice)
    {
        long start = Stopwatch.GetTimestamp();
        long total = timeoutSeconds < 0 ? long.MaxValue : (long)Math.Min(timeoutSeconds * Stopwatch.Frequency, long.MaxValue / 2.0);
        while (true)
        {
            long left = total == long.MaxValue ? long.MaxValue : total - (Stopwatch.GetTimestamp() - start);
            int ms = left <= 0 ? 0 : left == long.MaxValue ? SliceMs : (int)Math.Min(SliceMs, (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
            long token = ts.Lock.Detach(ts);
            bool done;
            try { done = slice(state, ms); }
            finally { ts.Lock.Reattach(ts, token); }
            if (done) return true;
            CheckBreak(ts);
            if (left <= 0 || (total != long.MaxValue && Stopwatch.GetTimestamp() - start >= total)) return false;
        }
    }

    /// <summary>Between two slices of a wait: what the eval loop does at an eval break (signals, interrupt, stop).</summary>
    public static void CheckBreak(ThreadState ts)
    {
        InterpreterState interp = ts.Interp;
        if (ts.IsWorker)
        {
            if (interp.Workers.Stopping) throw ThreadRegistry.Stop();
            return;
        }
        if (interp.InterruptPending || (interp.Signals?.AnyPending ?? false)) interp.OnEvalBreak(ts);
    }
}
