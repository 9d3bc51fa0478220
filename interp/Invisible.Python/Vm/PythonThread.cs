using System;
using System.Threading;

namespace Invisible.Python.Vm;

/// <summary>Runs interpreter work on a thread with a large stack; deep recursion becomes RecursionError.</summary>
public static class PythonThread
{
    public const int StackSize = 512 * 1024 * 1024;
    [ThreadStatic] internal static long StackBase;
    [ThreadStatic] internal static long StackBudget;

    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            unsafe
            {
                int marker = 0;
                StackBase = (long)&marker;
            }
            StackBudget = StackSize - 16 * 1024 * 1024;
            try { result = work(); }
            catch (Exception e) { error = e; }
        }, StackSize);
        t.Start();
        t.Join();
        if (error != null) throw new InvalidOperationException("interpreter thread failed: " + error.Message, error);
        return result;
    }

    /// <summary>True when the current thread has used most of its stack.</summary>
    public static unsafe bool StackExhausted()
    {
        int marker = 0;
        long here = (long)&marker;
        if (StackBase == 0) return !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack();
        return StackBase - here > StackBudget;
    }
}
