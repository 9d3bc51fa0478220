using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>CPython's <c>_bisect</c> (Modules/_bisectmodule.c): binary search over any sequence, with a fast path for
/// lists (read afresh at every step, since a comparison may mutate the list).</summary>
public static class BisectModule
{
    public static PyModule Create()
    {
        var m = new PyModule("_bisect");
        m.Add("__doc__", new PyStr("Bisection algorithms.\n\nThis module provides support for maintaining a list in sorted order without\nhaving to sort the list after each insertion. For long lists of items with\nexpensive comparison operations, this can be an improvement over the more\ncommon approach.\n"));
        m.AddFn("bisect_right", (a, k) => PyInt.Get(Search(a, k, "bisect_right", right: true, insort: false, out _, out _)));
        m.AddFn("bisect_left", (a, k) => PyInt.Get(Search(a, k, "bisect_left", right: false, insort: false, out _, out _)));
        m.AddFn("insort_right", (a, k) => Insort(a, k, "insort_right", right: true));
        m.AddFn("insort_left", (a, k) => Insort(a, k, "insort_left", right: false));
        return m;
    }

    private static PyObject Insort(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, bool right)
    {
        long i = Search(a, k, fname, right, insort: true, out var seq, out var x);
        if (seq is PyList l && l.IsExact) l.Insert(i, x);
        else Ops.CallMethod(seq, "insert", PyInt.Get(i), x);
        return PyNone.Instance;
    }

    /// <summary>Parses (a, x, lo=0, hi=None, *, key=None) and returns the insertion point. The insort functions
    /// search for key(x) (the bisect ones compare x itself with key(item)), as CPython's do.</summary>
    private static long Search(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, bool right, bool insort, out PyObject seq, out PyObject x)
    {
        seq = Ops.Arg(a, k, 0, "a") ?? throw Ops.TypeError($"{fname}() missing required argument 'a' (pos 1)");
        x = Ops.Arg(a, k, 1, "x") ?? throw Ops.TypeError($"{fname}() missing required argument 'x' (pos 2)");
        var loObj = Ops.Arg(a, k, 2, "lo");
        var hiObj = Ops.Arg(a, k, 3, "hi");
        PyObject? key = null;
        if (k != null)
        {
            int npos = a.Length - k.Length;
            if (npos > 4) throw Ops.TypeError($"{fname}() takes at most 4 positional arguments ({npos} given)");
            for (int j = 0; j < k.Length; j++)
            {
                string n = k[j].Value;
                if (n == "key") key = a[npos + j];
                else if (n != "a" && n != "x" && n != "lo" && n != "hi") throw Ops.TypeError($"{fname}() got an unexpected keyword argument '{n}'");
            }
        }
        else if (a.Length > 4) throw Ops.TypeError($"{fname}() takes at most 4 positional arguments ({a.Length} given)");
        if (key == PyNone.Instance) key = null;
        long lo = loObj == null ? 0 : Ops.IndexValue(loObj);
        if (lo < 0) throw Ops.ValueError("lo must be non-negative");
        long hi = hiObj == null || hiObj == PyNone.Instance ? Ops.LenLong(seq) : Ops.IndexValue(hiObj);
        var target = insort && key != null ? Ops.Call1(key, x) : x;
        while (lo < hi)
        {
            long mid = (long)((ulong)(lo + hi) / 2);
            PyObject item;
            if (seq is PyList l && l.IsExact)
            {
                if (mid >= l.Count) throw Ops.IndexError("list index out of range");
                item = l.Items[mid];
            }
            else item = Ops.GetItem(seq, PyInt.Get(mid));
            if (key != null) item = Ops.Call1(key, item);
            // bisect_right: go right unless x < item; bisect_left: go right while item < x.
            bool goLeft = right ? Ops.LessThan(target, item) : !Ops.LessThan(item, target);
            if (goLeft) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
}
