using System;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Builtins;

/// <summary>
/// object.__reduce_ex__, object.__reduce__ and object.__getstate__ (CPython's Objects/typeobject.c: reduce_newobj,
/// object_getstate_default): what Lib's copy and pickle call for instances of classes that define nothing of their own.
/// Protocols below 2 go to Lib's <c>copyreg._reduce_ex</c>, as in CPython.
/// </summary>
internal static class ObjectReduce
{
    private static PyObject Copyreg() => ThreadState.Current.Interp.Imports.ImportModule("copyreg");

    public static void Install(PyType o)
    {
        PyObject? objectReduce = null;
        o.AddMethod("__reduce__", (a, k) => Ops.CallArgs(Ops.GetAttr(Copyreg(), "_reduce_ex"), a[0], PyInt.Get(0)));
        objectReduce = o.TypeDict.GetOrNull("__reduce__");
        o.AddMethod("__reduce_ex__", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"object.__reduce_ex__() takes exactly one argument ({a.Length - 1} given)");
            var self = a[0];
            long protocol = Ops.IndexValue(a[1]);
            // a class's own __reduce__ wins (CPython compares it with object.__reduce__)
            var reduce = self.Type.Lookup(PyStr.Intern("__reduce__"));
            if (reduce != null && !ReferenceEquals(reduce, objectReduce)) return Ops.Call0(Ops.GetAttr(self, "__reduce__"));
            if (protocol < 2) return Ops.CallArgs(Ops.GetAttr(Copyreg(), "_reduce_ex"), self, PyInt.Get(protocol));
            return ReduceNewObj(self);
        });
        o.AddMethod("__getstate__", (a, k) =>
        {
            if (a.Length != 1) throw Ops.TypeError($"object.__getstate__() takes no arguments ({a.Length - 1} given)");
            return DefaultState(a[0]);
        });
    }

    /// <summary>CPython's object_getstate_default: the instance dict (None when empty), paired with a dict of the
    /// slot values when the class has slots.</summary>
    private static PyObject DefaultState(PyObject obj)
    {
        PyObject state = PyNone.Instance;
        if (obj is not PyType && obj.Dict is { Count: > 0 } d) state = d;
        var names = Ops.CallArgs(Ops.GetAttr(Copyreg(), "_slotnames"), obj.Type);
        PyDict? slots = null;
        foreach (var n in Ops.ToArray(names))
        {
            if (n is not PyStr name) continue;
            PyObject? v;
            try { v = Ops.GetAttrOrNull(obj, PyStr.Intern(name.Value)); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { v = null; } // an empty slot
            if (v == null) continue;
            (slots ??= new PyDict()).SetItem(name, v);
        }
        if (slots != null) state = new PyTuple(new[] { state, slots });
        return state;
    }

    /// <summary>CPython's reduce_newobj: (copyreg.__newobj__, (cls, *args), state, listitems, dictitems), or
    /// __newobj_ex__ when __getnewargs_ex__ gives keywords.</summary>
    private static PyObject ReduceNewObj(PyObject obj)
    {
        var cls = obj.Type;
        if (cls.New == null) throw Ops.TypeError($"cannot pickle '{cls.Name}' object");
        PyObject[] args = Array.Empty<PyObject>();
        PyObject? kwargs = null;
        if (Ops.GetAttrOrNull(obj, PyStr.Intern("__getnewargs_ex__")) is { } gnx)
        {
            var r = Ops.Call0(gnx);
            if (r is not PyTuple t || t.Items.Length != 2)
                throw Ops.TypeError($"__getnewargs_ex__ should return a tuple of length 2, not '{r.Type.Name}'");
            if (t.Items[0] is not PyTuple ta) throw Ops.TypeError($"first item of the tuple returned by __getnewargs_ex__ must be a tuple, not '{t.Items[0].Type.Name}'");
            if (t.Items[1] is not PyDict) throw Ops.TypeError($"second item of the tuple returned by __getnewargs_ex__ must be a dict, not '{t.Items[1].Type.Name}'");
            args = ta.Items;
            kwargs = ((PyDict)t.Items[1]).Count > 0 ? t.Items[1] : null;
        }
        else if (Ops.GetAttrOrNull(obj, PyStr.Intern("__getnewargs__")) is { } gn)
        {
            var r = Ops.Call0(gn);
            if (r is not PyTuple ta) throw Ops.TypeError($"__getnewargs__ should return a tuple, not '{r.Type.Name}'");
            args = ta.Items;
        }
        var copyreg = Copyreg();
        var state = Ops.Call0(Ops.GetAttr(obj, "__getstate__"));
        PyObject listItems = obj is PyList ? Ops.GetIter(obj) : PyNone.Instance;
        PyObject dictItems = obj is PyDict ? Ops.GetIter(Ops.Call0(Ops.GetAttr(obj, "items"))) : PyNone.Instance;
        PyObject func, newArgs;
        if (kwargs != null)
        {
            func = Ops.GetAttr(copyreg, "__newobj_ex__");
            newArgs = new PyTuple(new PyObject[] { cls, new PyTuple(args), kwargs });
        }
        else
        {
            func = Ops.GetAttr(copyreg, "__newobj__");
            var items = new PyObject[args.Length + 1];
            items[0] = cls;
            args.CopyTo(items, 1);
            newArgs = new PyTuple(items);
        }
        return new PyTuple(new[] { func, newArgs, state, listItems, dictItems });
    }
}
