using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>
/// The built-in <c>map</c>, <c>filter</c> and <c>zip</c> iterators (CPython's Python/bltinmodule.c): the iterators of
/// their arguments are taken when the object is made (so <c>zip(3)</c> fails at once), subclasses get instances of
/// their own type (with a <c>__dict__</c>), and they pickle as CPython's (<c>__reduce__</c>; zip's
/// <c>__setstate__</c> sets <c>strict</c>). Keywords are refused as by CPython's <c>tp_new</c>: "map() takes no keyword
/// arguments", unless a subclass defines an <c>__init__</c> of its own, which receives them.
/// </summary>
internal abstract class BuiltinIterator : PyObject
{
    private readonly PyType _type;
    private PyDict? _dict;
    protected BuiltinIterator(PyType type) { _type = type; }
    public sealed override PyType Type => _type;
    public sealed override PyDict? Dict => _type.IsHeap ? _dict ??= new PyDict() : null;
    public sealed override PyObject Iter() => this;
    public abstract PyObject Reduce();

    /// <summary>How many of <paramref name="count"/> arguments are positional, once keywords are dropped for a subclass
    /// whose own <c>__init__</c> takes them; "f() takes no keyword arguments" otherwise.</summary>
    protected static int Positional(string name, PyType cls, int count, PyStr[]? k)
    {
        if (k == null || k.Length == 0) return count;
        if (!cls.IsHeap || ReferenceEquals(cls.Lookup(PyStr.S___init__), PyType.ObjectInit))
            throw Ops.TypeError($"{name}() takes no keyword arguments");
        return count - k.Length;
    }

    protected static PyObject[] Iterators(ReadOnlySpan<PyObject> iterables)
    {
        var its = new PyObject[iterables.Length];
        for (int i = 0; i < its.Length; i++) its[i] = Ops.GetIter(iterables[i]);
        return its;
    }

    /// <summary>Adds <c>__reduce__</c> (and whatever else the type has) to the built-in types.</summary>
    public static void InitTypes(PyType map, PyType filter, PyType zip)
    {
        foreach (var t in new[] { map, filter, zip })
        {
            string name = t.Name;
            t.AddMethod("__reduce__", (a, k) =>
            {
                ArgParser.NoArgs("__reduce__", a.Slice(1), k);
                return (a[0] as BuiltinIterator ?? throw Descriptor("__reduce__", name, a[0])).Reduce();
            });
        }
        zip.AddMethod("__setstate__", (a, k) =>
        {
            ArgParser.NoKeywords("__setstate__", k);
            if (a.Length != 2) throw Ops.TypeError($"zip.__setstate__() takes exactly one argument ({a.Length - 1} given)");
            (a[0] as PyZip ?? throw Descriptor("__setstate__", "zip", a[0])).Strict = Ops.IsTrue(a[1]);
            return PyNone.Instance;
        });
    }

    private static PyException Descriptor(string method, string typeName, PyObject o) =>
        Ops.TypeError($"descriptor '{method}' for '{typeName}' objects doesn't apply to a '{o.Type.Name}' object");
}

/// <summary><c>map(func, *iterables)</c>.</summary>
internal sealed class PyMap : BuiltinIterator
{
    private readonly PyObject _func;
    private readonly PyObject[] _its;
    private PyMap(PyType type, PyObject func, PyObject[] its) : base(type) { _func = func; _its = its; }

    public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        a = a.Slice(0, Positional("map", cls, a.Length, k));
        if (a.Length < 2) throw Ops.TypeError("map() must have at least two arguments.");
        return new PyMap(cls, a[0], Iterators(a.Slice(1)));
    }

    public override PyObject? Next()
    {
        var args = new PyObject[_its.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var v = Ops.Next(_its[i]);
            if (v == null) return null;
            args[i] = v;
        }
        return Ops.Call(_func, args);
    }

    public override PyObject Reduce()
    {
        var args = new PyObject[_its.Length + 1];
        args[0] = _func;
        _its.CopyTo(args, 1);
        return new PyTuple(new PyObject[] { Type, new PyTuple(args) });
    }
}

/// <summary><c>filter(function or None, iterable)</c>.</summary>
internal sealed class PyFilter : BuiltinIterator
{
    private readonly PyObject _func, _it;
    private PyFilter(PyType type, PyObject func, PyObject it) : base(type) { _func = func; _it = it; }

    public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        a = a.Slice(0, Positional("filter", cls, a.Length, k));
        ArgParser.CheckPositional("filter", a, null, 2, 2);
        return new PyFilter(cls, a[0], Ops.GetIter(a[1]));
    }

    public override PyObject? Next()
    {
        // None and bool test the items themselves (CPython's checktrue)
        bool checkTrue = _func == PyNone.Instance || _func == PyBool.TypeObj;
        while (true)
        {
            var item = Ops.Next(_it);
            if (item == null) return null;
            bool ok = checkTrue ? Ops.IsTrue(item) : Ops.IsTrue(Ops.Call1(_func, item));
            if (ok) return item;
        }
    }

    public override PyObject Reduce() => new PyTuple(new PyObject[] { Type, new PyTuple(new[] { _func, _it }) });
}

/// <summary><c>zip(*iterables, strict=False)</c>.</summary>
internal sealed class PyZip : BuiltinIterator
{
    private readonly PyObject[] _its;
    public bool Strict;
    private PyZip(PyType type, PyObject[] its, bool strict) : base(type) { _its = its; Strict = strict; }

    public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        bool strict = false;
        int npos = a.Length;
        if (k != null && k.Length > 0)
        {
            // CPython parses the keywords with "|$p:zip": strict is the only one
            npos -= k.Length;
            if (k.Length > 1) throw Ops.TypeError($"zip() takes at most 1 keyword argument ({k.Length} given)");
            if (k[0].Value != "strict") throw Ops.TypeError($"'{k[0].Value}' is an invalid keyword argument for zip()");
            strict = Ops.IsTrue(a[npos]);
        }
        return new PyZip(cls, Iterators(a.Slice(0, npos)), strict);
    }

    public override PyObject? Next()
    {
        int n = _its.Length;
        if (n == 0) return null;
        var items = new PyObject[n];
        for (int i = 0; i < n; i++)
        {
            var v = Ops.Next(_its[i]);
            if (v == null)
            {
                if (Strict) CheckLengths(i);
                return null;
            }
            items[i] = v;
        }
        return new PyTuple(items);
    }

    /// <summary>strict=True: argument <paramref name="i"/> ran out; the others must end at the same time.</summary>
    private void CheckLengths(int i)
    {
        if (i > 0) throw Ops.ValueError($"zip() argument {i + 1} is shorter than argument{(i > 1 ? "s 1-" + i : " 1")}");
        for (int j = 1; j < _its.Length; j++)
            if (Ops.Next(_its[j]) != null) throw Ops.ValueError($"zip() argument {j + 1} is longer than argument{(j > 1 ? "s 1-" + j : " 1")}");
    }

    public override PyObject Reduce() => Strict
        ? new PyTuple(new PyObject[] { Type, new PyTuple(_its), PyBool.True })
        : new PyTuple(new PyObject[] { Type, new PyTuple(_its) });
}
