using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Python.Vm;

/// <summary>
/// Runs interpreter work on a thread with a large stack, and knows how much stack any thread running Python has left:
/// deep recursion (Python calls, the parser, the compiler, comparisons and reprs of nested containers) becomes
/// RecursionError before the native stack runs out, because the .NET runtime cannot survive a stack overflow — it
/// kills the process, which in <c>invisible attach</c> is the target program.
/// </summary>
/// <remarks>
/// Threads: <see cref="Run"/>'s thread (512 MiB, <c>invisible python</c> and tests) keeps 16 MiB in reserve; any other
/// thread (the attach listener's 32 MiB stack, a program thread running a Python callback, the main thread) has its
/// bounds read once with <c>pthread_getattr_np</c> and keeps a quarter of its stack, at most 1 MiB, in reserve —
/// room for the code between two checks and for the exception's unwinding. sys.setrecursionlimit(10**6) therefore
/// cannot crash the host: the stack check stops the recursion first.
/// </remarks>
public static partial class PythonThread
{
    public const int StackSize = 512 * 1024 * 1024;
    [ThreadStatic] internal static long StackBase;
    [ThreadStatic] internal static long StackBudget;
    /// <summary>The lowest stack address Python may use on this thread; 0 = not computed yet, -1 = unknown bounds
    /// (then the runtime's own check decides).</summary>
    [ThreadStatic] private static long t_limit;

    private const long MaxReserve = 1 << 20;
    private const long MinReserve = 64 << 10;

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
            t_limit = StackBase - StackBudget;
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
        long limit = t_limit;
        if (limit == 0) limit = t_limit = ComputeLimit(here);
        if (limit < 0) return !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack();
        return here < limit;
    }

    [LibraryImport("libc.so.6")]
    private static partial nint pthread_self();
    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_getattr_np(nint thread, void* attr);
    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_attr_getstack(void* attr, nint* stackaddr, nuint* stacksize);
    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_attr_destroy(void* attr);

    private static unsafe long ComputeLimit(long here)
    {
        if (StackBase != 0) return StackBase - StackBudget;
        if (!OperatingSystem.IsLinux()) return -1;
        byte* attr = stackalloc byte[128]; // pthread_attr_t is 56 bytes on x86-64 glibc
        if (pthread_getattr_np(pthread_self(), attr) != 0) return -1;
        nint low;
        nuint size;
        int rc = pthread_attr_getstack(attr, &low, &size);
        pthread_attr_destroy(attr);
        if (rc != 0 || size == 0 || here < low || here > low + (long)size) return -1;
        long reserve = Math.Clamp((long)size / 4, MinReserve, MaxReserve);
        return low + reserve;
    }
}
