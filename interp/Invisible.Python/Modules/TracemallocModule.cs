using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_tracemalloc</c> (Python/tracemalloc.c) as CPython has it when Python objects' allocations are not
/// traced: the interpreter's objects live on the .NET heap, so there is nothing to trace. <c>start()</c> and
/// <c>stop()</c> keep the flag and the frame limit (arguments checked as CPython's), and the traces stay empty:
/// <c>tracemalloc.take_snapshot()</c> gives a snapshot with no traces and <c>get_traced_memory()</c> (0, 0).
/// The memory of the native process is what Invisible's own census reports.
/// </summary>
public static class TracemallocModule
{
    private static readonly ArgParser StartArgs = new("start", "nframe=1, /");
    private static readonly ArgParser ObjectTracebackArgs = new("_get_object_traceback", "obj, /");
    private const int MaxNFrame = 65535;

    // per module object, so per interpreter
    private sealed class State { public bool Tracing; public int Limit = 1; }

    public static PyModule Create()
    {
        var m = new PyModule("_tracemalloc");
        var s = new State();
        var none = PyNone.Instance;
        m.AddFn("is_tracing", (a, k) => { ArgParser.NoArgs("is_tracing", a, k); return PyBool.Of(s.Tracing); });
        m.AddFn("clear_traces", (a, k) => { ArgParser.NoArgs("clear_traces", a, k); return none; });
        m.AddFn("get_traceback_limit", (a, k) => { ArgParser.NoArgs("get_traceback_limit", a, k); return PyInt.Get(s.Limit); });
        m.AddFn("get_traced_memory", (a, k) => { ArgParser.NoArgs("get_traced_memory", a, k); return PyTuple.Of(PyInt.Get(0), PyInt.Get(0)); });
        m.AddFn("get_tracemalloc_memory", (a, k) => { ArgParser.NoArgs("get_tracemalloc_memory", a, k); return PyInt.Get(0); });
        m.AddFn("reset_peak", (a, k) => { ArgParser.NoArgs("reset_peak", a, k); return none; });
        m.AddFn("_get_traces", (a, k) => { ArgParser.NoArgs("_get_traces", a, k); return new PyList(); });
        m.AddFn("_get_object_traceback", (a, k) => { ObjectTracebackArgs.Parse(a, k); return none; });
        m.AddFn("start", (a, k) =>
        {
            var args = StartArgs.Parse(a, k);
            long n = args[0] is { } o ? Ops.IndexValue(o) : 1;
            if (n < 1 || n > MaxNFrame) throw Ops.ValueError($"the number of frames must be in range [1; {MaxNFrame}]");
            s.Limit = (int)n;
            s.Tracing = true;
            return none;
        });
        m.AddFn("stop", (a, k) => { ArgParser.NoArgs("stop", a, k); s.Tracing = false; return none; });
        return m;
    }
}
