using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>set and frozenset construction and pickling as CPython's setobject.c: set.__new__ refuses keywords only
/// for set itself and makes an empty set that set.__init__ fills (so a subclass's own __init__ may take keywords);
/// frozenset.__new__ fills it and refuses keywords unless the subclass has its own __init__; at most one iterable
/// ("SetSubclass expected at most 1 argument, got 2"); __reduce__ is (type, (list,), __getstate__()).</summary>
public static partial class TypeMethods
{
    public static PyObject NewSet(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (cls == PySet.SetType && k is { Length: > 0 }) throw Ops.TypeError("set() takes no keyword arguments");
        return new PySet(cls);
    }

    public static PyObject NewFrozenSet(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k is { Length: > 0 } && (cls == PySet.FrozenSetType || ReferenceEquals(cls.Lookup(PyStr.S___init__), PyType.ObjectInit)))
            throw Ops.TypeError("frozenset() takes no keyword arguments");
        int n = Ops.PosCount(a, k);
        if (n > 1) throw Ops.TypeError($"{cls.Name} expected at most 1 argument, got {n}");
        if (cls == PySet.FrozenSetType && n == 1 && a[0] is PySet { Frozen: true, IsExact: true } same) return same;
        var s = new PySet(cls);
        if (n == 1) s.AddAll(a[0]);
        return s;
    }

    private static void InitSetProtocol()
    {
        PySet.SetType.AddMethod("__init__", (a, k) =>
        {
            var s = St(a[0]);
            if (k is { Length: > 0 }) throw Ops.TypeError("set() takes no keyword arguments");
            if (a.Length > 2) throw Ops.TypeError($"{s.Type.Name} expected at most 1 argument, got {a.Length - 1}");
            s.Clear();
            if (a.Length > 1) s.AddAll(a[1]);
            return PyNone.Instance;
        });
        foreach (var t in new[] { PySet.SetType, PySet.FrozenSetType })
        {
            t.AddMethod("__reduce__", (a, k) =>
            {
                var s = St(a[0]);
                var items = new PyList(Ops.ToArray(s));
                var state = Ops.CallMethod(s, "__getstate__");
                return new PyTuple(new PyObject[] { s.Type, new PyTuple(new PyObject[] { items }), state });
            });
        }
    }
}
