using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>collections.deque.</summary>
public sealed class PyDeque : PyObject
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    /// <summary>collections.deque: made once for the process, shared by every interpreter (a built-in type).</summary>
    public static PyType TypeObj
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    private PyObject[] _buf = new PyObject[8];
    private int _head, _count;
    public int MaxLen = -1;
    private PyType _type;
    private PyDict? _dict;
    public PyDeque(PyType t) { _type = t; }
    public override PyType Type => _type;
    public override PyDict? Dict => _type == TypeObj ? null : _dict ??= new PyDict();
    public int Count => _count;
    public override bool HasLen => true;
    public override int Len() => _count;
    public override bool IsTrue() => _count > 0;
    public override bool Hashable => false;
    private PyObject At(int i) => _buf[(_head + i) & (_buf.Length - 1)];
    private void Grow()
    {
        var nb = new PyObject[_buf.Length * 2];
        for (int i = 0; i < _count; i++) nb[i] = At(i);
        _buf = nb; _head = 0;
    }
    public void Append(PyObject o)
    {
        if (MaxLen == 0) return;
        if (_count == MaxLen) PopLeft();
        if (_count == _buf.Length) Grow();
        _buf[(_head + _count) & (_buf.Length - 1)] = o;
        _count++;
    }
    public void AppendLeft(PyObject o)
    {
        if (MaxLen == 0) return;
        if (_count == MaxLen) Pop();
        if (_count == _buf.Length) Grow();
        _head = (_head - 1) & (_buf.Length - 1);
        _buf[_head] = o;
        _count++;
    }
    public PyObject Pop()
    {
        if (_count == 0) throw Ops.IndexError("pop from an empty deque");
        _count--;
        int i = (_head + _count) & (_buf.Length - 1);
        var r = _buf[i]; _buf[i] = null!;
        return r;
    }
    public PyObject PopLeft()
    {
        if (_count == 0) throw Ops.IndexError("pop from an empty deque");
        var r = _buf[_head]; _buf[_head] = null!;
        _head = (_head + 1) & (_buf.Length - 1);
        _count--;
        return r;
    }
    public PyObject[] ToArray() { var a = new PyObject[_count]; for (int i = 0; i < _count; i++) a[i] = At(i); return a; }
    public void Clear() { _buf = new PyObject[8]; _head = 0; _count = 0; }
    public override PyObject Iter() => new PySeqIterator(ToArray(), _count);
    public override bool? Contains(PyObject item) { for (int i = 0; i < _count; i++) if (Ops.Eq(At(i), item)) return true; return false; }
    private int Idx(PyObject k)
    {
        long i = Ops.IndexValue(k);
        if (i < 0) i += _count;
        if (i < 0 || i >= _count) throw Ops.IndexError("deque index out of range");
        return (int)i;
    }
    public override PyObject GetItem(PyObject key) => At(Idx(key));
    public override void SetItem(PyObject key, PyObject value) => _buf[(_head + Idx(key)) & (_buf.Length - 1)] = value;
    public override void DelItem(PyObject key)
    {
        var items = new List<PyObject>(ToArray());
        items.RemoveAt(Idx(key));
        Clear(); foreach (var x in items) Append(x);
    }
    public override string Repr()
    {
        if (!Ops.ReprEnter(this)) return "[...]";
        try
        {
            var sb = new StringBuilder(_type.Name + "([");
            for (int i = 0; i < _count; i++) { if (i > 0) sb.Append(", "); sb.Append(Ops.Repr(At(i))); }
            sb.Append(']');
            if (MaxLen >= 0) sb.Append(", maxlen=").Append(MaxLen);
            return sb.Append(')').ToString();
        }
        finally { Ops.ReprLeave(this); }
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyDeque d) return null;
        var a = ToArray(); var b = d.ToArray();
        return Ops.SeqCompare(a, a.Length, b, b.Length, op);
    }
    public override PyObject? InplaceOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add) { foreach (var x in Ops.ToArray(other)) Append(x); return this; }
        return null;
    }
    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add && other is PyDeque d) { var r = new PyDeque(TypeObj) { MaxLen = MaxLen }; foreach (var x in ToArray()) r.Append(x); foreach (var x in d.ToArray()) r.Append(x); return r; }
        return null;
    }

    private static PyType CreateType()
    {
        var t = new PyType("deque", PyType.ObjectType, (cls, a, k) => new PyDeque(cls)) { ModuleName = "collections" };
        PyDeque Q(PyObject o) => (PyDeque)o;
        t.AddMethod("__init__", (a, k) =>
        {
            var d = Q(a[0]);
            d.Clear();
            var ml = Ops.Arg(a, k, 2, "maxlen");
            if (ml != null && ml != PyNone.Instance) d.MaxLen = (int)Ops.IndexValue(ml);
            var it = Ops.Arg(a, k, 1, "iterable");
            if (it != null) foreach (var x in Ops.ToArray(it)) d.Append(x);
            return PyNone.Instance;
        });
        t.AddMethod("append", (a, k) => { Q(a[0]).Append(a[1]); return PyNone.Instance; });
        t.AddMethod("appendleft", (a, k) => { Q(a[0]).AppendLeft(a[1]); return PyNone.Instance; });
        t.AddMethod("pop", (a, k) => Q(a[0]).Pop());
        t.AddMethod("popleft", (a, k) => Q(a[0]).PopLeft());
        t.AddMethod("extend", (a, k) => { var d = Q(a[0]); foreach (var x in Ops.ToArray(a[1])) d.Append(x); return PyNone.Instance; });
        t.AddMethod("extendleft", (a, k) => { var d = Q(a[0]); foreach (var x in Ops.ToArray(a[1])) d.AppendLeft(x); return PyNone.Instance; });
        t.AddMethod("clear", (a, k) => { Q(a[0]).Clear(); return PyNone.Instance; });
        t.AddMethod("copy", (a, k) => { var d = Q(a[0]); var r = new PyDeque(d._type) { MaxLen = d.MaxLen }; foreach (var x in d.ToArray()) r.Append(x); return r; });
        t.AddMethod("count", (a, k) => { int c = 0; foreach (var x in Q(a[0]).ToArray()) if (Ops.Eq(x, a[1])) c++; return PyInt.Get(c); });
        t.AddMethod("index", (a, k) => { var arr = Q(a[0]).ToArray(); for (int i = 0; i < arr.Length; i++) if (Ops.Eq(arr[i], a[1])) return PyInt.Get(i); throw Ops.ValueError($"{Ops.Repr(a[1])} is not in deque"); });
        t.AddMethod("remove", (a, k) =>
        {
            var d = Q(a[0]); var arr = new List<PyObject>(d.ToArray());
            var target = a[1];
            int i = arr.FindIndex(x => Ops.Eq(x, target));
            if (i < 0) throw Ops.ValueError($"{Ops.Repr(a[1])} is not in deque");
            arr.RemoveAt(i); d.Clear(); foreach (var x in arr) d.Append(x);
            return PyNone.Instance;
        });
        t.AddMethod("reverse", (a, k) => { var d = Q(a[0]); var arr = d.ToArray(); Array.Reverse(arr); d.Clear(); foreach (var x in arr) d.Append(x); return PyNone.Instance; });
        t.AddMethod("rotate", (a, k) =>
        {
            var d = Q(a[0]);
            long n = a.Length > 1 ? Ops.IndexValue(a[1]) : 1;
            if (d._count == 0) return PyNone.Instance;
            n %= d._count;
            if (n > 0) for (long i = 0; i < n; i++) d.AppendLeft(d.Pop());
            else for (long i = 0; i < -n; i++) d.Append(d.PopLeft());
            return PyNone.Instance;
        });
        t.AddMethod("__len__", (a, k) => PyInt.Get(Q(a[0])._count));
        t.AddMethod("__iter__", (a, k) => a[0].Iter());
        t.AddMethod("__getitem__", (a, k) => a[0].GetItem(a[1]));
        t.AddMethod("__reversed__", (a, k) => { var arr = Q(a[0]).ToArray(); Array.Reverse(arr); return new PySeqIterator(arr, arr.Length); });
        t.SetMember("maxlen", new PyProperty(new PyBuiltinFunction("maxlen", (a, k) => Q(a[0]).MaxLen < 0 ? PyNone.Instance : PyInt.Get(Q(a[0]).MaxLen)), null, null, null));
        t.SetMember("__hash__", PyNone.Instance);
        return t;
    }
}

/// <summary>CPython's <c>_collections</c> (Modules/_collectionsmodule.c): deque, defaultdict and
/// <c>_count_elements</c> (Counter's counting loop); Lib's collections falls back to Python for the rest.</summary>
public static class CollectionsModule
{
    private static readonly ArgParser CountArgs = new("_count_elements", "mapping, iterable, /");

    public static PyModule Create()
    {
        var m = new PyModule("_collections");
        m.Add("deque", PyDeque.TypeObj);
        m.Add("defaultdict", DefaultDict.TypeObj);
        m.AddFn("_count_elements", (a, k) =>
        {
            var args = CountArgs.Parse(a, k);
            CountElements(args[0]!, args[1]!);
            return PyNone.Instance;
        });
        return m;
    }

    /// <summary>mapping[elem] = mapping.get(elem, 0) + 1 for each element; straight on the dict when the mapping's
    /// type keeps dict's get and __setitem__ (Counter does), as CPython's fast path.</summary>
    private static void CountElements(PyObject mapping, PyObject iterable)
    {
        var it = Ops.GetIter(iterable);
        var one = PyInt.Get(1);
        var t = mapping.Type;
        if (mapping is PyDict d
            && t.Lookup(PyStr.Intern("get")) == PyDict.TypeObj.TypeDict.GetOrNull(PyStr.Intern("get"))
            && t.Lookup(PyStr.Intern("__setitem__")) == PyDict.TypeObj.TypeDict.GetOrNull(PyStr.Intern("__setitem__")))
        {
            PyObject? item;
            while ((item = Ops.Next(it)) != null)
            {
                var old = d.GetOrNull(item);
                d.SetItem(item, old == null ? one : Ops.BinaryOp(old, one, Runtime.BinOp.Add));
            }
            return;
        }
        var get = Ops.GetAttr(mapping, "get");
        var zero = PyInt.Get(0);
        PyObject? x;
        while ((x = Ops.Next(it)) != null)
            Ops.SetItem(mapping, x, Ops.BinaryOp(Ops.CallArgs(get, x, zero), one, Runtime.BinOp.Add));
    }
}
