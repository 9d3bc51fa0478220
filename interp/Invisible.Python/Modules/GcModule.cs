using System;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>gc</c> (Modules/gcmodule.c), over the .NET garbage collector, which reclaims every Python object
/// (cycles included) on its own: there is no Python-side collector to tune.
/// <list type="bullet">
/// <item><c>collect(generation=2)</c> runs a full .NET collection and its finalizers, then the <c>__del__</c> methods
/// and weakref callbacks of the objects found unreachable (<see cref="Finalization"/>; again while those free more),
/// calls <c>gc.callbacks</c> ("start"/"stop") as CPython does, and returns 0: .NET does not say how many objects it
/// freed.</item>
/// <item><c>enable</c>/<c>disable</c>/<c>isenabled</c>, thresholds, debug flags, <c>freeze</c>: remembered and
/// reported as set (Lib and tests read them back), with no effect on the .NET collector.</item>
/// <item><c>get_count</c> is (0, 0, 0), <c>get_stats</c> counts our <c>collect</c> calls, <c>garbage</c> stays empty
/// (nothing is uncollectable), <c>is_finalized</c> says whether an object's <c>__del__</c> ran.</item>
/// <item><c>get_referents</c> answers for containers (list, tuple, dict, set, an instance's <c>__dict__</c>);
/// <c>get_objects</c> and <c>get_referrers</c> raise NotImplementedError: .NET cannot walk the heap from inside.</item>
/// </list>
/// </summary>
public static class GcModule
{
    private static readonly ArgParser CollectArgs = new("collect", "generation=2");
    private static readonly ArgParser SetThresholdArgs = new("set_threshold", "threshold0, threshold1=None, threshold2=None, /");
    private static readonly ArgParser SetDebugArgs = new("set_debug", "flags, /");
    private static readonly ArgParser IsTrackedArgs = new("is_tracked", "obj, /");
    private static readonly ArgParser IsFinalizedArgs = new("is_finalized", "obj, /");
    private static readonly ArgParser GetObjectsArgs = new("get_objects", "generation=None");
    /// <summary>Collections per <c>gc.collect()</c> at most while finalizers keep dropping objects.</summary>
    private const int MaxRounds = 8;

    private sealed class State
    {
        public bool Enabled = true;
        public long Threshold0 = 700, Threshold1 = 10, Threshold2 = 10;
        public long Debug;
        public long Collections;
    }

    public static PyModule Create()
    {
        var m = new PyModule("gc");
        var s = new State();
        var callbacks = new PyList();
        m.Add("callbacks", callbacks);
        m.Add("garbage", new PyList());
        m.Add("DEBUG_STATS", PyInt.Get(1));
        m.Add("DEBUG_COLLECTABLE", PyInt.Get(2));
        m.Add("DEBUG_UNCOLLECTABLE", PyInt.Get(4));
        m.Add("DEBUG_SAVEALL", PyInt.Get(32));
        m.Add("DEBUG_LEAK", PyInt.Get(38));
        m.AddFn("enable", (a, k) => { ArgParser.NoArgs("enable", a, k); s.Enabled = true; return PyNone.Instance; });
        m.AddFn("disable", (a, k) => { ArgParser.NoArgs("disable", a, k); s.Enabled = false; return PyNone.Instance; });
        m.AddFn("isenabled", (a, k) => { ArgParser.NoArgs("isenabled", a, k); return PyBool.Of(s.Enabled); });
        m.AddFn("collect", (a, k) =>
        {
            long generation = CollectArgs.Parse(a, k).Int(0, 2);
            if (generation < 0 || generation > 2) throw Ops.ValueError("invalid generation");
            Callbacks(callbacks, "start", generation);
            ThreadState ts = ThreadState.Current;
            // Collect, then run the __del__ methods and weakref callbacks the collection queued (Vm.Finalization);
            // what they drop is collected in turn, a few rounds at most (a __del__ may make new garbage each time).
            for (int round = 0; round < MaxRounds; round++)
            {
                // The collection itself: no Python object is touched, so other Python threads may run meanwhile.
                long token = ts.Lock.Detach(ts);
                try
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                finally { ts.Lock.Reattach(ts, token); }
                if (!ts.Interp.Finalizers.Drain(ts)) break;
            }
            s.Collections++;
            Callbacks(callbacks, "stop", generation);
            return PyInt.Zero;
        });
        m.AddFn("get_count", (a, k) => { ArgParser.NoArgs("get_count", a, k); return new PyTuple(new PyObject[] { PyInt.Zero, PyInt.Zero, PyInt.Zero }); });
        m.AddFn("get_threshold", (a, k) =>
        {
            ArgParser.NoArgs("get_threshold", a, k);
            return new PyTuple(new PyObject[] { PyInt.Get(s.Threshold0), PyInt.Get(s.Threshold1), PyInt.Get(s.Threshold2) });
        });
        m.AddFn("set_threshold", (a, k) =>
        {
            if (k != null && k.Length > 0) throw Ops.TypeError("set_threshold() takes no keyword arguments");
            var args = SetThresholdArgs.Parse(a, k);
            s.Threshold0 = Ops.IndexValue(args[0]!);
            if (args[1] is { } t1 && t1 != PyNone.Instance) s.Threshold1 = Ops.IndexValue(t1);
            if (args[2] is { } t2 && t2 != PyNone.Instance) s.Threshold2 = Ops.IndexValue(t2);
            return PyNone.Instance;
        });
        m.AddFn("get_debug", (a, k) => { ArgParser.NoArgs("get_debug", a, k); return PyInt.Get(s.Debug); });
        m.AddFn("set_debug", (a, k) => { s.Debug = Ops.IndexValue(SetDebugArgs.Parse(a, k)[0]!); return PyNone.Instance; });
        m.AddFn("get_stats", (a, k) =>
        {
            ArgParser.NoArgs("get_stats", a, k);
            var l = new PyList();
            for (int g = 0; g < 3; g++)
            {
                var d = new PyDict();
                d.SetItem("collections", PyInt.Get(g == 2 ? s.Collections : 0));
                d.SetItem("collected", PyInt.Zero);
                d.SetItem("uncollectable", PyInt.Zero);
                l.Append(d);
            }
            return l;
        });
        m.AddFn("is_tracked", (a, k) =>
        {
            PyObject o = IsTrackedArgs.Parse(a, k)[0]!;
            // CPython tracks containers only: atoms are never tracked.
            bool atom = o is PyInt || o is PyFloat || o is PyStr || o is PyBytes || o is PyNone || o is PyBool;
            return PyBool.Of(!atom);
        });
        m.AddFn("is_finalized", (a, k) => PyBool.Of(Finalization.IsFinalized(IsFinalizedArgs.Parse(a, k)[0]!)));
        m.AddFn("freeze", (a, k) => { ArgParser.NoArgs("freeze", a, k); return PyNone.Instance; });
        m.AddFn("unfreeze", (a, k) => { ArgParser.NoArgs("unfreeze", a, k); return PyNone.Instance; });
        m.AddFn("get_freeze_count", (a, k) => { ArgParser.NoArgs("get_freeze_count", a, k); return PyInt.Zero; });
        m.AddFn("get_objects", (a, k) =>
        {
            var args = GetObjectsArgs.Parse(a, k);
            if (args[0] is PyInt g && (g.V < 0 || g.V > 2)) throw Ops.ValueError($"generation parameter must be less than the number of available generations (3)");
            throw Ops.NotImplementedError("gc.get_objects() is not available: the .NET collector cannot list the heap's objects");
        });
        m.AddFn("get_referrers", (a, k) =>
        {
            Ops.NoKw(k, "get_referrers");
            throw Ops.NotImplementedError("gc.get_referrers() is not available: the .NET collector cannot search the heap");
        });
        m.AddFn("get_referents", (a, k) =>
        {
            Ops.NoKw(k, "get_referents");
            var l = new PyList();
            foreach (PyObject o in a) Referents(o, l);
            return l;
        });
        return m;
    }

    private static void Callbacks(PyList callbacks, string phase, long generation)
    {
        if (callbacks.Count == 0) return;
        var info = new PyDict();
        info.SetItem("generation", PyInt.Get(generation));
        info.SetItem("collected", PyInt.Zero);
        info.SetItem("uncollectable", PyInt.Zero);
        var p = PyStr.Of(phase);
        foreach (PyObject cb in callbacks.Items.AsSpan(0, callbacks.Count).ToArray()) Ops.Call(cb, new PyObject[] { p, info });
    }

    private static void Referents(PyObject o, PyList into)
    {
        switch (o)
        {
            // CPython's traversal order: lists and tuples from the end
            case PyList l:
                for (int i = l.Count - 1; i >= 0; i--) into.Append(l.Items[i]);
                return;
            case PyTuple t:
                for (int i = t.Items.Length - 1; i >= 0; i--) into.Append(t.Items[i]);
                return;
            case PyDict d:
                foreach (var kv in d.Items()) { into.Append(kv.Key); into.Append(kv.Value); }
                return;
            case PyStr or PyInt or PyFloat or PyBytes or PyNone or PyBool:
                return;
        }
        if (o.Dict is { } dict) into.Append(dict);
        into.Append(o.Type);
    }
}
