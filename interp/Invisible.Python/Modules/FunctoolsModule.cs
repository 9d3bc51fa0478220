using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>CPython's <c>_functools</c> (Modules/_functoolsmodule.c), the part Lib's functools takes from C when it
/// is there: <c>reduce</c> and <c>cmp_to_key</c> (its <c>functools.KeyWrapper</c> type). <c>partial</c> and
/// <c>_lru_cache_wrapper</c> are not provided: functools.py imports each name on its own and keeps its pure-Python
/// version of what is missing.</summary>
public static class FunctoolsModule
{
    private static PyType? s_keyWrapperType;

    private static readonly ArgParser CmpToKeyArgs = new("cmp_to_key", "mycmp");
    private static readonly ArgParser KeyArgs = new("K", "obj");
    private static readonly ArgParser ReduceArgs = new("reduce", "function, iterable, initial=, /");

    public static PyModule Create()
    {
        var m = new PyModule("_functools");
        m.Add("__doc__", new PyStr("Tools that operate on functions."));
        var kw = s_keyWrapperType ??= MakeKeyWrapperType();
        m.AddFn("cmp_to_key", (a, k) => new KeyWrapper(kw, CmpToKeyArgs.Parse(a, k)[0]!, null));
        m.AddFn("reduce", Reduce);
        return m;
    }

    /// <summary>reduce(function, iterable[, initial]): the items folded from the left (CPython's functools_reduce,
    /// which takes no keywords).</summary>
    private static PyObject Reduce(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k is { Length: > 0 }) throw Ops.TypeError("reduce() takes no keyword arguments");
        var args = ReduceArgs.Parse(a, k);
        var func = args[0]!;
        var seq = args[1]!;
        PyObject? result = args[2];
        PyObject it;
        try { it = Ops.GetIter(seq); }
        catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType)
        {
            throw Ops.TypeError("reduce() arg 2 must support iteration");
        }
        var pair = new PyObject[2];
        PyObject? item;
        while ((item = Ops.Next(it)) != null)
        {
            if (result == null) { result = item; continue; }
            pair[0] = result;
            pair[1] = item;
            result = Ops.Call(func, pair);
        }
        return result ?? throw Ops.TypeError("reduce() of empty iterable with no initial value");
    }

    private static PyType MakeKeyWrapperType()
    {
        // messages name it by CPython's tp_name, "functools.KeyWrapper"
        var t = new PyType("KeyWrapper", PyType.ObjectType, null) { ModuleName = "functools" };
        t.New = (cls, a, k) => throw Ops.TypeError("cannot create 'functools.KeyWrapper' instances");
        t.SetMember("__hash__", PyNone.Instance);
        t.SetMember("__call__", new PyBuiltinFunction("__call__", (a, k) => a[0].Call(a.Slice(1), k), true) { Owner = t });
        foreach (var (name, op) in new[] { ("__lt__", CmpOp.Lt), ("__le__", CmpOp.Le), ("__eq__", CmpOp.Eq), ("__ne__", CmpOp.Ne), ("__gt__", CmpOp.Gt), ("__ge__", CmpOp.Ge) })
            t.SetMember(name, new PyBuiltinFunction(name, (a, k) => a[0].RichCompare(a[1], op) ?? PyNotImplementedType.Instance, true) { Owner = t });
        return t;
    }

    /// <summary>CPython's keyobject: <c>cmp_to_key(mycmp)</c> is one with no object, and calling it wraps an object
    /// with the same comparison function; two wrapped objects compare by the sign of <c>mycmp(a, b)</c>.</summary>
    private sealed class KeyWrapper : PyObject
    {
        private readonly PyType _type;
        private readonly PyObject _cmp;
        private readonly PyObject? _obj;

        public KeyWrapper(PyType type, PyObject cmp, PyObject? obj) { _type = type; _cmp = cmp; _obj = obj; }
        public override PyType Type => _type;
        public override bool IsCallable => true;
        public override long Hash() => throw Ops.TypeError("unhashable type: 'functools.KeyWrapper'");

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
            => new KeyWrapper(_type, _cmp, KeyArgs.Parse(args, kwnames)[0]!);

        public override PyObject? GetAttrOrNull(PyStr name)
        {
            // the "obj" member: AttributeError while unset, as CPython's T_OBJECT member reads NULL
            if (name.Value == "obj") return _obj;
            return base.GetAttrOrNull(name) ?? throw Ops.AttributeError($"'functools.KeyWrapper' object has no attribute '{name.Value}'");
        }

        public override void SetAttr(PyStr name, PyObject value)
        {
            if (name.Value != "obj") throw Ops.AttributeError($"'functools.KeyWrapper' object has no attribute '{name.Value}'");
            throw Ops.AttributeError("readonly attribute");
        }

        public override PyObject? RichCompare(PyObject other, CmpOp op)
        {
            if (other is not KeyWrapper o) throw Ops.TypeError("other argument must be K instance");
            if (_obj == null || o._obj == null) throw Ops.AttributeError("object");
            var res = Ops.Call(_cmp, new[] { _obj, o._obj });
            return Ops.RichCompare(res, PyInt.Zero, op);
        }
    }
}
