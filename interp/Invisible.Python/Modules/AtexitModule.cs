using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>atexit</c> (Modules/atexitmodule.c): functions run when the interpreter finishes, last registered
/// first. The callbacks belong to the interpreter: they live in its <c>atexit</c> module object (one per
/// interpreter), and the host runs them through <see cref="RunExitFuncs"/> when the main program ends.
/// </summary>
public static class AtexitModule
{
    private static readonly ArgParser UnregisterArgs = new("atexit.unregister", "func, /");

    private sealed class Callbacks
    {
        public readonly List<(PyObject Func, PyObject[] Args, PyStr[]? KwNames)> List = new();
    }

    // the callbacks of each atexit module object (per interpreter), keyed by the module without keeping it alive
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PyModule, Callbacks> State = new();

    public static PyModule Create()
    {
        var m = new PyModule("atexit");
        var cbs = new Callbacks();
        State.Add(m, cbs);
        m.AddFn("register", (a, k) =>
        {
            int nkw = k?.Length ?? 0;
            if (a.Length - nkw < 1) throw Ops.TypeError($"register() takes at least 1 argument (0 given)");
            if (!a[0].IsCallable) throw Ops.TypeError("the first argument must be callable");
            cbs.List.Add((a[0], a.Slice(1).ToArray(), k));
            return a[0];
        });
        m.AddFn("unregister", (a, k) =>
        {
            var func = UnregisterArgs.Parse(a, k)[0]!;
            for (int i = cbs.List.Count - 1; i >= 0; i--)
                if (Ops.IsTrue(Ops.RichCompare(cbs.List[i].Func, func, CmpOp.Eq))) cbs.List.RemoveAt(i);
            return PyNone.Instance;
        });
        m.AddFn("_clear", (a, k) => { ArgParser.NoArgs("atexit._clear", a, k); cbs.List.Clear(); return PyNone.Instance; });
        m.AddFn("_ncallbacks", (a, k) => { ArgParser.NoArgs("atexit._ncallbacks", a, k); return PyInt.Get(cbs.List.Count); });
        m.AddFn("_run_exitfuncs", (a, k) => { ArgParser.NoArgs("atexit._run_exitfuncs", a, k); Run(cbs); return PyNone.Instance; });
        return m;
    }

    /// <summary>Run and clear the callbacks registered in <paramref name="interp"/> (if it imported atexit): an
    /// exception in one is reported as CPython's "Exception ignored in atexit callback" and the others still run.</summary>
    public static void RunExitFuncs(InterpreterState interp)
    {
        if (interp.Modules.GetOrNull(PyStr.Of("atexit")) is PyModule m && State.TryGetValue(m, out var cbs)) Run(cbs);
    }

    private static void Run(Callbacks cbs)
    {
        var interp = ThreadState.Current.Interp;
        while (cbs.List.Count > 0)
        {
            var (func, args, kw) = cbs.List[^1];
            cbs.List.RemoveAt(cbs.List.Count - 1);
            try { Ops.Call(func, args, kw); }
            catch (PyException e)
            {
                if (e.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType)) continue;
                interp.Sys.WriteStderr($"Exception ignored in atexit callback: {Ops.Repr(func)}\n");
                string text;
                try { text = e.Value.FormatTraceback(interp.SourceLine); } catch (PyException) { text = e.Value.Type.Name + "\n"; }
                interp.Sys.WriteStderr(text);
            }
        }
    }
}
