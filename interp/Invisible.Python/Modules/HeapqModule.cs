using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>CPython's <c>_heapq</c> (Modules/_heapqmodule.c): the binary min-heap (and max-heap helpers used by
/// heapq.merge/nlargest) over a list, with the same sift order as CPython so heaps come out identical.</summary>
public static class HeapqModule
{
    public static PyModule Create()
    {
        var m = new PyModule("_heapq");
        m.Add("__doc__", new PyStr("Heap queue algorithm (a.k.a. priority queue)."));
        m.Add("__about__", new PyStr("Heap queues\n\nHeaps are arrays for which a[k] <= a[2*k+1] and a[k] <= a[2*k+2] for all k, counting\nelements from 0.\n"));
        m.AddFn("heappush", (a, k) =>
        {
            Args(a, k, "heappush", 2);
            var h = List(a[0], "heappush() argument 1");
            h.Append(a[1]);
            SiftDown(h, 0, h.Count - 1, false);
            return PyNone.Instance;
        });
        m.AddFn("heappop", (a, k) => Pop(List(One(a, k, "heappop"), "heappop() argument"), false));
        m.AddFn("_heappop_max", (a, k) => Pop(List(One(a, k, "_heappop_max"), "_heappop_max() argument"), true));
        m.AddFn("heapreplace", (a, k) => { Args(a, k, "heapreplace", 2); return Replace(List(a[0], "heapreplace() argument 1"), a[1], false); });
        m.AddFn("_heapreplace_max", (a, k) => { Args(a, k, "_heapreplace_max", 2); return Replace(List(a[0], "_heapreplace_max() argument 1"), a[1], true); });
        m.AddFn("heappushpop", (a, k) =>
        {
            Args(a, k, "heappushpop", 2);
            var h = List(a[0], "heappushpop() argument 1");
            var item = a[1];
            if (h.Count == 0) return item;
            var top = h.Items[0];
            if (!Ops.LessThan(top, item)) return item;
            if (h.Count == 0) throw Ops.IndexError("index out of range");
            var r = h.Items[0];
            h.Items[0] = item;
            SiftUp(h, 0, false);
            return r;
        });
        m.AddFn("heapify", (a, k) => { Heapify(List(One(a, k, "heapify"), "heapify() argument"), false); return PyNone.Instance; });
        m.AddFn("_heapify_max", (a, k) => { Heapify(List(One(a, k, "_heapify_max"), "_heapify_max() argument"), true); return PyNone.Instance; });
        return m;
    }

    private static void Args(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, int n)
    {
        Ops.NoKw(k, fname);
        if (a.Length != n) throw Ops.TypeError($"{fname} expected {n} arguments, got {a.Length}");
    }

    private static PyObject One(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
    {
        Ops.NoKw(k, fname);
        if (a.Length != 1) throw Ops.TypeError($"{fname}() takes exactly one argument ({a.Length} given)");
        return a[0];
    }

    private static PyList List(PyObject o, string what) =>
        o as PyList ?? throw Ops.TypeError($"{what} must be list, not {o.Type.Name}");

    private static bool Before(PyObject x, PyObject y, bool max) => max ? Ops.LessThan(y, x) : Ops.LessThan(x, y);

    private static PyObject Pop(PyList h, bool max)
    {
        if (h.Count == 0) throw Ops.IndexError("index out of range");
        var last = h.Pop(-1);
        if (h.Count == 0) return last;
        var r = h.Items[0];
        h.Items[0] = last;
        SiftUp(h, 0, max);
        return r;
    }

    private static PyObject Replace(PyList h, PyObject item, bool max)
    {
        if (h.Count == 0) throw Ops.IndexError("index out of range");
        var r = h.Items[0];
        h.Items[0] = item;
        SiftUp(h, 0, max);
        return r;
    }

    private static void Heapify(PyList h, bool max)
    {
        for (int i = h.Count / 2 - 1; i >= 0; i--) SiftUp(h, i, max);
    }

    /// <summary>Moves the item at <paramref name="pos"/> up towards <paramref name="start"/> (CPython's siftdown).
    /// A comparison may run Python code that changes the list: CPython's check and text.</summary>
    private static void SiftDown(PyList h, int start, int pos, bool max)
    {
        int size = h.Count;
        var item = h.Items[pos];
        while (pos > start)
        {
            int parentPos = (pos - 1) >> 1;
            var parent = h.Items[parentPos];
            bool lt = Before(item, parent, max);
            if (size != h.Count) throw Ops.RuntimeError("list changed size during iteration");
            if (!lt) break;
            parent = h.Items[parentPos];
            item = h.Items[pos];
            h.Items[parentPos] = item;
            h.Items[pos] = parent;
            pos = parentPos;
        }
    }

    /// <summary>CPython's siftup: bubble the smaller child up until a leaf, then siftdown the item into place.</summary>
    private static void SiftUp(PyList h, int pos, bool max)
    {
        int end = h.Count, start = pos, limit = end >> 1;
        while (pos < limit)
        {
            int child = 2 * pos + 1;
            if (child + 1 < end)
            {
                bool lt = Before(h.Items[child], h.Items[child + 1], max);
                if (end != h.Count) throw Ops.RuntimeError("list changed size during iteration");
                if (!lt) child++;
            }
            (h.Items[pos], h.Items[child]) = (h.Items[child], h.Items[pos]);
            pos = child;
        }
        SiftDown(h, start, pos, max);
    }
}
