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
public static class Recursion
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter(string where)
    {
        if (++Interpreter.Depth > Interpreter.RecursionLimit || PythonThread.StackExhausted()) Fail(where);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Leave() => Interpreter.Depth--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(string where)
    {
        Interpreter.Depth--;
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
