using System.Runtime.CompilerServices;
using Invisible.Python.Vm;

namespace Invisible.Python.Runtime;

/// <summary>
/// CPython's <c>Py_EnterRecursiveCall</c>/<c>Py_LeaveRecursiveCall</c> for native recursion that is not a Python call:
/// comparisons, reprs and hashes of nested containers, isinstance over nested tuples, the JSON encoder. Each level
/// counts against <c>sys.getrecursionlimit()</c> together with Python frames (as in CPython 3.11), and the thread's
/// stack is checked too (<see cref="PythonThread.StackExhausted"/>), so a raised limit cannot overflow it.
/// Use as <c>Recursion.Enter(" in comparison"); try { ... } finally { Recursion.Leave(); }</c>.
/// </summary>
/// The count is the calling thread's depth in its interpreter (<see cref="ThreadState"/>); code run outside any
/// interpreter (a host formatting an object) has only the stack check.
public static class Recursion
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter(string where)
    {
        ThreadState? ts = ThreadState.CurrentOrNull;
        if (ts is null) { CheckStack(); return; }
        if (++ts.Depth > ts.RecursionLimit || PythonThread.StackExhausted()) Fail(ts, where);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Leave()
    {
        ThreadState? ts = ThreadState.CurrentOrNull;
        if (ts is not null) ts.Depth--;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(ThreadState ts, string where)
    {
        ts.Depth--;
        throw Ops.Exc(PyBaseException.RecursionErrorType, "maximum recursion depth exceeded" + where);
    }

    /// <summary>Only the stack (no count): for recursion CPython does not count, e.g. hashing nested tuples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckStack()
    {
        if (PythonThread.StackExhausted()) Fail0();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail0() => throw Ops.Exc(PyBaseException.RecursionErrorType, "maximum recursion depth exceeded");
}
