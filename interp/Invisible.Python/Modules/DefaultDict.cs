using System;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_collections.defaultdict</c> (Modules/_collectionsmodule.c): a built-in dict subclass whose
/// <c>__missing__</c> calls <c>default_factory</c>. Its instances are <see cref="PyDict"/> objects of this type; the
/// factory lives in <see cref="PyDict.DefaultFactory"/> (CPython keeps it in the defaultdict struct).
/// </summary>
public static class DefaultDict
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    /// <summary>collections.defaultdict: made once for the process, shared by every interpreter (a built-in type).</summary>
    public static PyType TypeObj
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    /// <summary>True when <paramref name="t"/> is defaultdict or a subclass (the dict asks for its repr and |).</summary>
    internal static bool Is(PyType t) => s_type != null && t.IsSubtypeOf(s_type);

    private static PyDict D(PyObject o) =>
        o is PyDict d && Is(d.Type) ? d : throw Ops.TypeError($"descriptor requires a 'collections.defaultdict' object but received a '{o.Type.Name}'");

    /// <summary>CPython's defdict_repr: <c>NAME(FACTORY, {...})</c>, the factory's repr guarded against recursion.</summary>
    internal static string Repr(PyDict d, string dictRepr)
    {
        string factory;
        var f = d.DefaultFactory;
        if (f == null) factory = "None";
        else if (!Ops.ReprEnter(f)) factory = "...";
        else
        {
            try { factory = Ops.Repr(f); }
            finally { Ops.ReprLeave(f); }
        }
        return $"{d.Type.Name}({factory}, {dictRepr})";
    }

    /// <summary>A new defaultdict of <paramref name="d"/>'s type with its factory and items (copy, __copy__, |).</summary>
    internal static PyDict Copy(PyDict d)
    {
        var args = new PyObject[] { d.DefaultFactory ?? PyNone.Instance, d };
        return (PyDict)Ops.Call(d.Type, args);
    }

    private static PyType CreateType()
    {
        var t = new PyType("defaultdict", PyDict.TypeObj, (cls, a, k) => new PyDict(cls)) { ModuleName = "collections" };
        var dictInit = PyDict.TypeObj.TypeDict.GetOrNull(PyStr.Intern("__init__"))!;
        t.AddMethod("__init__", (a, k) =>
        {
            var d = D(a[0]);
            int npos = Ops.PosCount(a, k);
            PyObject? factory = null;
            if (npos > 1)
            {
                factory = a[1];
                if (factory == PyNone.Instance) factory = null;
                else if (!BuiltinsModule.IsCallable(factory)) throw Ops.TypeError("first argument must be callable or None");
            }
            d.DefaultFactory = factory;
            // the rest goes to dict.__init__ (self, [mapping or iterable], **kwargs)
            var rest = new PyObject[a.Length - (npos > 1 ? 1 : 0)];
            rest[0] = d;
            int skip = npos > 1 ? 2 : 1;
            a.Slice(skip).CopyTo(rest.AsSpan(1));
            return Ops.Call(dictInit, rest, k);
        });
        t.AddMethod("__missing__", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"defaultdict.__missing__() takes exactly one argument ({a.Length - 1} given)");
            var d = D(a[0]);
            var f = d.DefaultFactory;
            if (f == null) throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, a[1])); // CPython sets the 1-tuple: args == (key,)
            var value = Ops.Call0(f);
            Ops.SetItem(d, a[1], value);
            return value;
        });
        t.AddMethod("copy", (a, k) => Copy(D(a[0])));
        t.AddMethod("__copy__", (a, k) => Copy(D(a[0])));
        t.AddMethod("__reduce__", (a, k) =>
        {
            var d = D(a[0]);
            var args = d.DefaultFactory == null ? new PyTuple(Array.Empty<PyObject>()) : new PyTuple(new[] { d.DefaultFactory });
            var items = Ops.Call0(Ops.GetAttr(d, "items"));
            return new PyTuple(new PyObject[] { d.Type, args, PyNone.Instance, PyNone.Instance, Ops.GetIter(items) });
        });
        t.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        var get = new PyBuiltinFunction("default_factory", (a, k) => D(a[0]).DefaultFactory ?? PyNone.Instance);
        var set = new PyBuiltinFunction("default_factory", (a, k) => { D(a[0]).DefaultFactory = a[1] == PyNone.Instance ? null : a[1]; return PyNone.Instance; });
        var del = new PyBuiltinFunction("default_factory", (a, k) => { D(a[0]).DefaultFactory = null; return PyNone.Instance; });
        t.SetMember("default_factory", new PyProperty(get, set, del, SlotLayout.MemberDescriptorType, "<member 'default_factory' of 'collections.defaultdict' objects>"));
        return t;
    }
}
