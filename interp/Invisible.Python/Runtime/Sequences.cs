using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

public sealed class PyTuple : PyObject
{
    public static PyType TypeObj = null!;
    public static readonly PyTuple Empty = new(Array.Empty<PyObject>());
    public readonly PyObject[] Items;
    private PyType? _type;
    private PyDict? _dict;
    public PyTuple(PyObject[] items) { Items = items; }
    public PyTuple(PyObject[] items, PyType type) { Items = items; _type = type; }
    public static PyTuple Of(params PyObject[] items) => items.Length == 0 ? Empty : new PyTuple(items);
    public override PyType Type => _type ?? TypeObj;
    /// <summary>A plain tuple (not an instance of a subclass).</summary>
    public bool IsExact => _type == null;
    public override PyDict? Dict => _type == null ? null : _dict ??= new PyDict();
    public override bool HasLen => true;
    public override int Len() => Items.Length;
    public override bool IsTrue() => Items.Length != 0;
    public override string Repr()
    {
        // A tuple subtype made in C# (a struct sequence: os.stat_result, time.struct_time) gives its own repr.
        if (_type != null && !_type.IsHeap && _type.TypeDict.GetOrNull(PyStr.S___repr__) is PyBuiltinFunction own)
            return Ops.Str(own.Fn(new PyObject[] { this }, null));
        if (Items.Length == 0) return "()";
        if (!Ops.ReprEnter(this)) return "(...)";
        try
        {
            var sb = new StringBuilder("(");
            for (int i = 0; i < Items.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(Ops.Repr(Items[i])); }
            if (Items.Length == 1) sb.Append(',');
            return sb.Append(')').ToString();
        }
        finally { Ops.ReprLeave(this); }
    }
    public override long Hash()
    {
        Recursion.CheckStack(); // nested tuples hash recursively (CPython does not count these levels)
        // CPython's xxHash-based tuple hash
        const ulong P1 = 11400714785074694791UL, P2 = 14029467366897019727UL, P5 = 2870177450012600261UL;
        ulong acc = P5;
        foreach (var it in Items)
        {
            ulong lane = (ulong)Ops.Hash(it);
            acc += lane * P2;
            acc = (acc << 31) | (acc >> 33);
            acc *= P1;
        }
        acc += (ulong)Items.Length ^ (P5 ^ 3527539UL);
        long r = (long)acc;
        return r == -1 ? 1546275796 : r;
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyTuple t) return null;
        return Ops.SeqCompare(Items, Items.Length, t.Items, t.Items.Length, op);
    }
    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add && other is PyTuple t)
        {
            var r = new PyObject[Items.Length + t.Items.Length];
            Items.CopyTo(r, 0); t.Items.CopyTo(r, Items.Length);
            return new PyTuple(r);
        }
        if (op == Runtime.BinOp.Mul && other is PyInt n) return Repeat(n);
        return null;
    }
    public override PyObject? RBinOp(BinOp op, PyObject other)
        => op == Runtime.BinOp.Mul && other is PyInt n ? Repeat(n) : null;
    /// <summary>t * n; a plain tuple times 1 (or an empty one) is itself (CPython's tuple_repeat).</summary>
    private PyTuple Repeat(PyInt n)
    {
        if (_type == null && (Items.Length == 0 || (!n.IsBig && n.V == 1))) return this;
        var r = Ops.RepeatArray(Items, Items.Length, n);
        return r.Length == 0 ? Empty : new PyTuple(r);
    }
    public override bool? Contains(PyObject item)
    {
        foreach (var x in Items) if (ReferenceEquals(x, item) || Ops.Eq(x, item)) return true;
        return false;
    }
    public override PyObject GetItem(PyObject key)
    {
        if (key is PyInt i)
        {
            long idx = Ops.IndexValue(i);
            if (idx < 0) idx += Items.Length;
            if (idx < 0 || idx >= Items.Length) throw Ops.IndexError("tuple index out of range");
            return Items[idx];
        }
        if (key is PySlice sl) return new PyTuple(Ops.SliceArray(Items, Items.Length, sl));
        if (key.Type.Lookup(PyStr.S___index__) != null) return GetItem(Ops.Index(key));
        throw Ops.TypeError($"tuple indices must be integers or slices, not {key.Type.Name}");
    }
    public override PyObject Iter() => new PySeqIterator(Items, Items.Length);
}

public sealed class PySeqIterator : PyObject
{
    public static PyType TypeObj = null!;
    private readonly PyObject[] _items;
    private readonly int _n;
    private int _i;
    public PySeqIterator(PyObject[] items, int n) { _items = items; _n = n; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => _i < _n ? _items[_i++] : null;
    /// <summary>The items not yet produced (__reduce__ pickles them; __length_hint__ counts them).</summary>
    public PyObject[] Rest() => _i < _n ? _items.AsSpan(_i, _n - _i).ToArray() : Array.Empty<PyObject>();
    public int LengthHint => _i < _n ? _n - _i : 0;
}

public sealed class PyListIterator : PyObject
{
    public static PyType TypeObj = null!, ReverseTypeObj = null!;
    /// <summary>What an exhausted iterator holds instead of its list (never changed).</summary>
    private static readonly PyList Released = new();
    private PyList _l;
    private int _i;
    private readonly bool _rev;
    public PyListIterator(PyList l, bool rev = false) { _l = l; _rev = rev; _i = rev ? l.Count - 1 : 0; }
    public override PyType Type => _rev ? ReverseTypeObj : TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_rev) { if (_i >= 0 && _i < _l.Count) return _l.Items[_i--]; _i = -1; Exhaust(); return null; }
        if (_i < _l.Count) return _l.Items[_i++];
        _i = int.MaxValue;
        Exhaust();
        return null;
    }
    /// <summary>CPython's listiter_next drops its list at the end (Py_CLEAR(it->it_seq)): a list no longer
    /// referenced elsewhere is freed (its __del__ runs) while the iterator lives on.</summary>
    private void Exhaust()
    {
        Exhausted = true;
        _l = Released;
    }
    public bool Reversed => _rev;
    /// <summary>Ended (CPython releases its list then: it pickles as an empty iterator).</summary>
    public bool Exhausted { get; private set; }
    public PyList List => _l;
    public int Index => _i;
    /// <summary>__setstate__: the position, clamped to the list (CPython's listiter_setstate / listreviter_setstate).</summary>
    public void SetState(long index)
    {
        if (Exhausted) return;
        if (_rev) _i = (int)(index < -1 ? -1 : index > _l.Count - 1 ? _l.Count - 1 : index);
        else _i = (int)(index < 0 ? 0 : index > _l.Count ? _l.Count : index);
    }
    /// <summary>The items not yet produced, in the list's order (__reduce__ pickles them; __length_hint__ counts them).</summary>
    public PyObject[] Rest()
    {
        if (_rev) return _i >= 0 && _i < _l.Count ? _l.Items.AsSpan(0, _i + 1).ToArray() : Array.Empty<PyObject>();
        return _i < _l.Count ? _l.Items.AsSpan(_i, _l.Count - _i).ToArray() : Array.Empty<PyObject>();
    }
    public int LengthHint => _rev ? (_i >= 0 && _i < _l.Count ? _i + 1 : 0) : (_i < _l.Count ? _l.Count - _i : 0);
}

public sealed class PyList : PyObject
{
    public static PyType TypeObj = null!;
    public PyObject[] Items;
    public int Count;
    private PyType? _type;
    private PyDict? _dict;
    public PyList() { Items = Array.Empty<PyObject>(); }
    public PyList(PyType type) { Items = Array.Empty<PyObject>(); if (type != TypeObj) _type = type; }
    public PyList(int capacity) { Items = capacity == 0 ? Array.Empty<PyObject>() : new PyObject[capacity]; }
    public PyList(PyObject[] items)
    {
        // Keep only exact PyObject[] storage (a PyStr[] passed in by covariance is copied): the VM stores into
        // Items through Slot views, which skip the covariance check.
        if (items.GetType() != typeof(PyObject[])) { var copy = new PyObject[items.Length]; Array.Copy(items, copy, items.Length); items = copy; }
        Items = items; Count = items.Length;
    }
    public PyList(IEnumerable<PyObject> items) : this() { foreach (var i in items) Append(i); }
    public override PyType Type => _type ?? TypeObj;
    /// <summary>A plain list (not an instance of a subclass).</summary>
    public bool IsExact => _type == null;
    public override PyDict? Dict => _type == null ? null : _dict ??= new PyDict();
    public override bool HasLen => true;
    public override int Len() => Count;
    public override bool IsTrue() => Count != 0;
    public override bool Hashable => false;
    public override long Hash() => throw Ops.TypeError("unhashable type: 'list'");

    public void Append(PyObject o)
    {
        var items = Items;
        int n = Count;
        if ((uint)n < (uint)items.Length)
        {
            Slot.Of(items)[n].V = o;
            Count = n + 1;
            return;
        }
        Grow(o);
    }

    private void Grow(PyObject o)
    {
        Array.Resize(ref Items, Math.Max(4, Count * 2));
        Slot.Of(Items)[Count++].V = o;
    }
    public void Extend(PyObject iterable)
    {
        // only exact lists and tuples are copied directly: a subclass may define its own __iter__ (list_extend)
        if (iterable is PyList { IsExact: true } l) { var src = l.Items; int n = l.Count; for (int i = 0; i < n; i++) Append(src[i]); return; }
        if (iterable is PyTuple { IsExact: true } t) { foreach (var x in t.Items) Append(x); return; }
        var it = Ops.GetIter(iterable);
        PyObject? v;
        while ((v = Ops.Next(it)) != null) Append(v);
    }
    public void Insert(long idx, PyObject o)
    {
        if (idx < 0) { idx += Count; if (idx < 0) idx = 0; }
        if (idx > Count) idx = Count;
        Append(o);
        Array.Copy(Items, idx, Items, idx + 1, Count - 1 - idx);
        Items[idx] = o;
    }
    public PyObject Pop(long idx)
    {
        if (Count == 0) throw Ops.IndexError("pop from empty list");
        if (idx < 0) idx += Count;
        if (idx < 0 || idx >= Count) throw Ops.IndexError("pop index out of range");
        var r = Items[idx];
        Array.Copy(Items, idx + 1, Items, idx, Count - 1 - idx);
        Items[--Count] = null!;
        return r;
    }
    public void RemoveAt(int idx)
    {
        Array.Copy(Items, idx + 1, Items, idx, Count - 1 - idx);
        Items[--Count] = null!;
    }
    public PyObject[] ToArray() { var a = new PyObject[Count]; Array.Copy(Items, a, Count); return a; }

    public override string Repr()
    {
        if (Count == 0) return "[]";
        if (!Ops.ReprEnter(this)) return "[...]";
        try
        {
            var sb = new StringBuilder("[");
            for (int i = 0; i < Count; i++) { if (i > 0) sb.Append(", "); sb.Append(Ops.Repr(Items[i])); }
            return sb.Append(']').ToString();
        }
        finally { Ops.ReprLeave(this); }
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyList l) return null;
        // lists of different lengths are unequal without comparing items (CPython's list_richcompare)
        if (Count != l.Count && (op == CmpOp.Eq || op == CmpOp.Ne)) return PyBool.Of(op == CmpOp.Ne);
        Recursion.Enter(" in comparison");
        try { return CompareItems(l, op); }
        finally { Recursion.Leave(); }
    }

    /// <summary>Sizes re-read after every item comparison: an item's __eq__ may shrink either list.</summary>
    private PyObject CompareItems(PyList l, CmpOp op)
    {
        int i = 0;
        for (; i < Count && i < l.Count; i++)
        {
            var x = Items[i]; var y = l.Items[i];
            if (ReferenceEquals(x, y)) continue;
            if (!Ops.Eq(x, y)) break;
        }
        if (i >= Count || i >= l.Count) return PyBool.Of(Ops.CmpResult(Count.CompareTo(l.Count), op));
        if (op == CmpOp.Eq) return PyBool.False;
        if (op == CmpOp.Ne) return PyBool.True;
        return Ops.RichCompare(Items[i], l.Items[i], op);
    }
    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add && other is PyList l)
        {
            var r = new PyObject[Count + l.Count];
            Array.Copy(Items, r, Count); Array.Copy(l.Items, 0, r, Count, l.Count);
            return new PyList(r);
        }
        if (op == Runtime.BinOp.Mul && other is PyInt n) return new PyList(Ops.RepeatArray(Items, Count, n));
        return null;
    }
    public override PyObject? RBinOp(BinOp op, PyObject other)
        => op == Runtime.BinOp.Mul && other is PyInt n ? new PyList(Ops.RepeatArray(Items, Count, n)) : null;
    public override PyObject? InplaceOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add) { Extend(other); return this; }
        if (op == Runtime.BinOp.Mul && other is PyInt n) { var r = Ops.RepeatArray(Items, Count, n); Items = r; Count = r.Length; return this; }
        return null;
    }
    public override bool? Contains(PyObject item)
    {
        for (int i = 0; i < Count; i++) { var x = Items[i]; if (ReferenceEquals(x, item) || Ops.Eq(x, item)) return true; }
        return false;
    }
    public override PyObject GetItem(PyObject key)
    {
        if (key is PyInt i)
        {
            long idx = i.IsBig ? long.MaxValue : i.V;
            if (idx < 0) idx += Count;
            if ((ulong)idx >= (ulong)Count) throw Ops.IndexError("list index out of range");
            return Items[idx];
        }
        if (key is PySlice sl) return new PyList(Ops.SliceArray(Items, Count, sl));
        if (key.Type.Lookup(PyStr.S___index__) != null) return GetItem(Ops.Index(key));
        throw Ops.TypeError($"list indices must be integers or slices, not {key.Type.Name}");
    }
    public override void SetItem(PyObject key, PyObject value)
    {
        if (key is PyInt i)
        {
            long idx = i.IsBig ? long.MaxValue : i.V;
            if (idx < 0) idx += Count;
            if ((ulong)idx >= (ulong)Count) throw Ops.IndexError("list assignment index out of range");
            Slot.Of(Items)[idx].V = value;
            return;
        }
        if (key is PySlice sl)
        {
            var src = ReferenceEquals(value, this) ? ToArray() : Ops.ToArray(value);
            sl.Indices(Count, out int start, out int stop, out int step, out int len);
            if (step == 1)
            {
                if (stop < start) stop = start;
                var tail = new PyObject[Count - stop];
                Array.Copy(Items, stop, tail, 0, tail.Length);
                Count = start;
                foreach (var x in src) Append(x);
                foreach (var x in tail) Append(x);
                return;
            }
            if (src.Length != len) throw Ops.ValueError($"attempt to assign sequence of size {src.Length} to extended slice of size {len}");
            for (int k = 0, j = start; k < len; k++, j += step) Items[j] = src[k];
            return;
        }
        if (key.Type.Lookup(PyStr.S___index__) != null) { SetItem(Ops.Index(key), value); return; }
        throw Ops.TypeError($"list indices must be integers or slices, not {key.Type.Name}");
    }
    public override void DelItem(PyObject key)
    {
        if (key is PyInt i)
        {
            long idx = i.V;
            if (idx < 0) idx += Count;
            if (idx < 0 || idx >= Count) throw Ops.IndexError("list assignment index out of range");
            RemoveAt((int)idx);
            return;
        }
        if (key is PySlice sl)
        {
            sl.Indices(Count, out int start, out _, out int step, out int len);
            if (len <= 0) return;
            var del = new bool[Count];
            for (int k = 0, j = start; k < len; k++, j += step) del[j] = true;
            int w = 0;
            for (int r = 0; r < Count; r++) if (!del[r]) Items[w++] = Items[r];
            for (int r = w; r < Count; r++) Items[r] = null!;
            Count = w;
            return;
        }
        throw Ops.TypeError($"list indices must be integers or slices, not {key.Type.Name}");
    }
    public override PyObject Iter() => new PyListIterator(this);

    /// <summary>Storage of a list being sorted: any change made meanwhile (by a key function or a comparison)
    /// replaces it, which the sort detects (CPython's allocated = -1 marker).</summary>
    private static readonly PyObject[] SortingMarker = new PyObject[0];

    public void Sort(PyObject? key, bool reverse)
    {
        // the list is empty while it sorts, as in CPython: what a callback sees or changes is not the data sorted
        var saved = Items; int n = Count;
        Items = SortingMarker; Count = 0;
        try
        {
            var vals = saved;
            var keys = vals;
            if (key != null && key != PyNone.Instance)
            {
                keys = new PyObject[n];
                for (int i = 0; i < n; i++) keys[i] = Ops.Call1(key, vals[i]);
            }
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            // stable merge sort on indices
            var tmp = new int[n];
            MergeSort(idx, tmp, 0, n, keys, reverse);
            var res = new PyObject[n];
            for (int i = 0; i < n; i++) res[i] = vals[idx[i]];
            Array.Copy(res, saved, n);
        }
        finally
        {
            bool modified = !ReferenceEquals(Items, SortingMarker) || Count != 0;
            Items = saved; Count = n;
            if (modified) throw Ops.ValueError("list modified during sort");
        }
    }

    private static bool Less(PyObject[] keys, int a, int b, bool reverse)
        => reverse ? Ops.LessThan(keys[b], keys[a]) : Ops.LessThan(keys[a], keys[b]);

    private static void MergeSort(int[] a, int[] tmp, int lo, int hi, PyObject[] keys, bool rev)
    {
        if (hi - lo <= 16)
        {
            for (int i = lo + 1; i < hi; i++)
            {
                int v = a[i]; int j = i - 1;
                while (j >= lo && Less(keys, v, a[j], rev)) { a[j + 1] = a[j]; j--; }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) / 2;
        MergeSort(a, tmp, lo, mid, keys, rev);
        MergeSort(a, tmp, mid, hi, keys, rev);
        if (!Less(keys, a[mid], a[mid - 1], rev)) return;
        int p = lo, q = mid, k = lo;
        while (p < mid && q < hi) tmp[k++] = Less(keys, a[q], a[p], rev) ? a[q++] : a[p++];
        while (p < mid) tmp[k++] = a[p++];
        while (q < hi) tmp[k++] = a[q++];
        Array.Copy(tmp, lo, a, lo, hi - lo);
    }
}

public sealed class PyRange : PyObject
{
    public static PyType TypeObj = null!;
    public readonly long Start, Stop, Step;
    /// <summary>Set (and the long fields unused) when a bound does not fit a long: CPython's long range.</summary>
    public readonly BigRange? Big;
    public PyRange(long start, long stop, long step) { Start = start; Stop = stop; Step = step; }
    public PyRange(BigRange big) { Big = big; }
    public override PyType Type => TypeObj;
    public long Length
    {
        get
        {
            if (Big != null) return Big.LengthAsLong();
            if (Step > 0) return Stop > Start ? (Stop - Start - 1) / Step + 1 : 0;
            return Start > Stop ? (Start - Stop - 1) / (-Step) + 1 : 0;
        }
    }
    public PyInt StartObj => Big != null ? PyInt.Get(Big.Start) : PyInt.Get(Start);
    public PyInt StopObj => Big != null ? PyInt.Get(Big.Stop) : PyInt.Get(Stop);
    public PyInt StepObj => Big != null ? PyInt.Get(Big.Step) : PyInt.Get(Step);
    public override bool HasLen => true;
    public override int Len() => (int)Length;
    public override bool IsTrue() => Big != null ? !Big.Length.IsZero : Length != 0;
    public override string Repr() => Big != null
        ? (Big.Step.IsOne ? $"range({Big.Start}, {Big.Stop})" : $"range({Big.Start}, {Big.Stop}, {Big.Step})")
        : Step == 1 ? $"range({Start}, {Stop})" : $"range({Start}, {Stop}, {Step})";
    public override PyObject Iter() => Big != null ? new PyLongRangeIterator(Big.Start, Big.Step, Big.Length) : new PyRangeIterator(Start, Step, Length);
    public override PyObject GetItem(PyObject key)
    {
        if (Big != null) return Big.GetItem(key);
        if (key is PyInt i)
        {
            long idx = i.V, n = Length;
            if (idx < 0) idx += n;
            if (idx < 0 || idx >= n) throw Ops.IndexError("range object index out of range");
            return PyInt.Get(Start + idx * Step);
        }
        if (key is PySlice sl)
        {
            sl.Indices((int)Length, out int s, out int e, out int st, out int len);
            long ns = Start + s * Step;
            return new PyRange(ns, ns + len * st * Step, st * Step);
        }
        throw Ops.TypeError($"range indices must be integers or slices, not {key.Type.Name}");
    }
    public override bool? Contains(PyObject item)
    {
        if (Big != null) return item is PyInt bi && item is not PyBool ? Big.Contains(bi.Big) : null;
        if (item is PyInt i && !i.IsBig && item is not PyBool)
        {
            long v = i.V;
            if (Step > 0 ? (v < Start || v >= Stop) : (v > Start || v <= Stop)) return false;
            return (v - Start) % Step == 0;
        }
        return null;
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyRange r || (op != CmpOp.Eq && op != CmpOp.Ne)) return null;
        if (Big != null || r.Big != null)
        {
            var x = Big ?? new BigRange(Start, Stop, Step);
            var y = r.Big ?? new BigRange(r.Start, r.Stop, r.Step);
            return PyBool.Of(op == CmpOp.Eq ? x.SameAs(y) : !x.SameAs(y));
        }
        bool eq = Length == r.Length && (Length == 0 || (Start == r.Start && (Length == 1 || Step == r.Step)));
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
    public override long Hash() => Big != null
        ? new PyTuple(new PyObject[] { PyInt.Get(Big.Length), PyInt.Get(Big.Start), PyInt.Get(Big.Step) }).Hash()
        : new PyTuple(new PyObject[] { PyInt.Get(Length), PyInt.Get(Start), PyInt.Get(Step) }).Hash();
}

/// <summary>A range whose bounds do not all fit a long (CPython's rangeobject with Python ints): arbitrary precision
/// arithmetic, off the hot path of ordinary ranges.</summary>
public sealed class BigRange
{
    public readonly System.Numerics.BigInteger Start, Stop, Step, Length;
    public BigRange(System.Numerics.BigInteger start, System.Numerics.BigInteger stop, System.Numerics.BigInteger step)
    {
        Start = start; Stop = stop; Step = step;
        if (step.Sign > 0) Length = stop > start ? (stop - start - 1) / step + 1 : 0;
        else Length = start > stop ? (start - stop - 1) / (-step) + 1 : 0;
    }
    public long LengthAsLong() => Length <= long.MaxValue ? (long)Length : throw Ops.OverflowError("Python int too large to convert to C ssize_t");
    public bool Contains(System.Numerics.BigInteger v)
    {
        if (Step.Sign > 0 ? (v < Start || v >= Stop) : (v > Start || v <= Stop)) return false;
        return ((v - Start) % Step).IsZero;
    }
    public bool SameAs(BigRange o) => Length == o.Length && (Length.IsZero || (Start == o.Start && (Length.IsOne || Step == o.Step)));
    public PyObject GetItem(PyObject key)
    {
        if (key is PySlice) throw Ops.OverflowError("Python int too large to convert to C ssize_t");
        var i = key as PyInt ?? (key.Type.Lookup(PyStr.Intern("__index__")) != null ? (PyInt)Ops.Index(key)
            : throw Ops.TypeError($"range indices must be integers or slices, not {key.Type.Name}"));
        var idx = i.Big;
        if (idx.Sign < 0) idx += Length;
        if (idx.Sign < 0 || idx >= Length) throw Ops.IndexError("range object index out of range");
        return PyInt.Get(Start + idx * Step);
    }
}

/// <summary>CPython's longrange_iterator: iterates a <see cref="BigRange"/>.</summary>
public sealed class PyLongRangeIterator : PyObject
{
    public static PyType TypeObj = null!;
    private System.Numerics.BigInteger _cur, _left;
    private readonly System.Numerics.BigInteger _step, _start, _len;
    public PyLongRangeIterator(System.Numerics.BigInteger start, System.Numerics.BigInteger step, System.Numerics.BigInteger len) { _cur = _start = start; _step = step; _left = _len = len; }
    /// <summary>For __reduce__ (CPython's longrangeiter_reduce): the range iterated over and how far the iterator is.</summary>
    public (PyObject Start, PyObject Stop, PyObject Step, PyObject Index) State =>
        (PyInt.Get(_start), PyInt.Get(_start + _len * _step), PyInt.Get(_step), PyInt.Get(_len - _left));
    /// <summary>__setstate__: the position from the start, clamped to the range.</summary>
    public void SetState(System.Numerics.BigInteger index)
    {
        if (index.Sign < 0) index = 0;
        if (index > _len) index = _len;
        _cur = _start + index * _step;
        _left = _len - index;
    }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_left.Sign <= 0) return null;
        _left -= 1;
        var v = _cur; _cur += _step;
        return PyInt.Get(v);
    }
}

public sealed class PyRangeIterator : PyObject
{
    public static PyType TypeObj = null!;
    private long _cur;
    private readonly long _step, _start, _len;
    private long _left;
    public PyRangeIterator(long start, long step, long len) { _cur = _start = start; _step = step; _left = _len = len; }
    /// <summary>For __reduce__ (CPython's rangeiter_reduce): the range iterated over and how far the iterator is.</summary>
    public (PyObject Start, PyObject Stop, PyObject Step, PyObject Index) State =>
        (PyInt.Get(_start), PyInt.Get(new System.Numerics.BigInteger(_start) + new System.Numerics.BigInteger(_len) * _step), PyInt.Get(_step), PyInt.Get(_len - _left));
    /// <summary>__setstate__: the position from the start, clamped to the range.</summary>
    public void SetState(long index)
    {
        index = Math.Clamp(index, 0, _len);
        _cur = _start + index * _step;
        _left = _len - index;
    }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_left <= 0) return null;
        _left--;
        var v = _cur; _cur += _step;
        return PyInt.Get(v);
    }
}

public sealed class PySlice : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Start, Stop, Step;
    public PySlice(PyObject start, PyObject stop, PyObject step) { Start = start; Stop = stop; Step = step; }
    public override PyType Type => TypeObj;
    public override string Repr() => $"slice({Ops.Repr(Start)}, {Ops.Repr(Stop)}, {Ops.Repr(Step)})";
    public override bool Hashable => false;
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PySlice s) return null;
        return new PyTuple(new[] { Start, Stop, Step }).RichCompare(new PyTuple(new[] { s.Start, s.Stop, s.Step }), op);
    }

    public void Indices(int length, out int start, out int stop, out int step, out int slicelen)
    {
        long st = Step == PyNone.Instance ? 1 : Ops.IndexValueClamped(Step); // a step of 1<<333 is clamped, as CPython's PySlice_Unpack
        if (st == 0) throw Ops.ValueError("slice step cannot be zero");
        long lo, hi;
        if (st > 0) { lo = 0; hi = length; } else { lo = -1; hi = length - 1; }
        long s, e;
        if (Start == PyNone.Instance) s = st > 0 ? lo : hi;
        else { s = Clamp(Ops.IndexValueClamped(Start)); if (s < 0) { s += length; if (s < lo) s = lo; } else if (s > hi) s = hi; }
        if (Stop == PyNone.Instance) e = st > 0 ? hi : lo;
        else { e = Clamp(Ops.IndexValueClamped(Stop)); if (e < 0) { e += length; if (e < lo) e = lo; } else if (e > hi) e = hi; }
        start = (int)s; stop = (int)e; step = (int)Math.Clamp(st, int.MinValue + 1, int.MaxValue);
        if (st > 0) slicelen = e > s ? (int)((e - s - 1) / st + 1) : 0;
        else slicelen = s > e ? (int)((s - e - 1) / (-st) + 1) : 0;
    }
    private static long Clamp(long v) => Math.Clamp(v, -(long)int.MaxValue * 4, (long)int.MaxValue * 4);
}
