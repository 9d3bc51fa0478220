using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>
/// CPython's <c>PyErr_WriteUnraisable</c> / <c>_PyErr_WriteUnraisableMsg</c> (Python/errors.c): an exception that
/// has no caller to go to (raised by a <c>__del__</c>, a weakref callback, a generator closed by the collector) is
/// handed to <c>sys.unraisablehook</c> as an <c>UnraisableHookArgs</c>; the default hook prints
/// "Exception ignored in: OBJ" and the traceback on <c>sys.stderr</c>. If the hook itself fails, its exception is
/// reported the default way, as CPython does.
/// </summary>
public static class Unraisable
{
    /// <summary>The type of <c>sys.unraisablehook</c>'s argument (<c>exc_type, exc_value, exc_traceback, err_msg, object</c>).</summary>
    public static readonly StructSeq HookArgs = new("", "UnraisableHookArgs",
        new[] { "exc_type", "exc_value", "exc_traceback", "err_msg", "object" }, 5);

    /// <summary>Report <paramref name="exc"/>, raised where nothing can catch it, about <paramref name="obj"/>
    /// ("Exception ignored in: repr(obj)"), or with <paramref name="errMsg"/> instead of "Exception ignored in".</summary>
    public static void Write(InterpreterState interp, PyBaseException exc, PyObject? obj, string? errMsg)
    {
        var args = HookArgs.Make(exc.Type, exc, exc.TracebackObject(), errMsg == null ? PyNone.Instance : PyStr.Of(errMsg),
            obj ?? PyNone.Instance);
        PyObject? hook = interp.Sys.Module.ModDict.GetOrNull("unraisablehook");
        if (hook != null && hook != PyNone.Instance)
        {
            try
            {
                Ops.CallArgs(hook, args);
                return;
            }
            catch (PyException e)
            {
                // CPython: "Exception ignored in sys.unraisablehook: <hook>" and the hook's own exception.
                WriteDefault(interp, e.Value, "Exception ignored in sys.unraisablehook", hook);
            }
        }
        WriteDefault(interp, exc, errMsg ?? "Exception ignored in", obj);
    }

    private static void WriteDefault(InterpreterState interp, PyBaseException exc, string msg, PyObject? obj)
    {
        string head;
        try { head = obj != null && obj != PyNone.Instance ? msg + ": " + Ops.Repr(obj) + "\n" : msg + "\n"; }
        catch (PyException) { head = msg + ": <object repr() failed>\n"; }
        string text;
        try { text = exc.FormatTraceback(interp.SourceLine); }
        catch (PyException) { text = exc.Type.Name + "\n"; }
        try { interp.Sys.WriteStderr(head + text); }
        catch (PyException) { /* no stderr to write to */ }
    }
}
