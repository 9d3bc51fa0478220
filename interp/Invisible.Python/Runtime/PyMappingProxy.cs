using System;

namespace Invisible.Python.Runtime;

/// <summary>CPython's <c>mappingproxy</c> (Objects/descrobject.c, <c>types.MappingProxyType</c>): a read-only view of
/// a mapping. <c>type.__dict__</c> is one over the class's own dict, made afresh on each access as in CPython, so a
/// class's namespace cannot be changed behind the attribute cache's back (<c>C.__dict__['x'] = 1</c> is a TypeError).
/// The type cannot be subclassed.</summary>
public sealed class PyMappingProxy : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Mapping;

    public PyMappingProxy(PyObject mapping) { Mapping = mapping; }
    public override PyType Type => TypeObj;

    private static readonly ArgParser NewArgs = new("mappingproxy", "mapping");
    private static readonly ArgParser GetArgs = new("get", "key, default=None, /");

    /// <summary>mappingproxy(mapping): anything with <c>__getitem__</c> but a list or tuple (CPython's
    /// mappingproxy_check_mapping: PyMapping_Check, then not a sequence type).</summary>
    public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var m = NewArgs.Parse(a, k)[0]!;
        bool isMapping = m is PyDict || (m is not PyList && m is not PyTuple && m.Type.Lookup(PyStr.Intern("__getitem__")) != null);
        if (!isMapping) throw Ops.TypeError($"mappingproxy() argument must be a mapping, not {m.Type.Name}");
        return new PyMappingProxy(m);
    }

    public override PyObject GetItem(PyObject key) => Ops.GetItem(Mapping, key);
    public override void SetItem(PyObject key, PyObject value)
        => throw Ops.TypeError("'mappingproxy' object does not support item assignment");
    public override void DelItem(PyObject key)
        => throw Ops.TypeError("'mappingproxy' object does not support item deletion");
    public override bool HasLen => true;
    public override int Len() => Ops.Len(Mapping);
    public override PyObject Iter() => Ops.GetIter(Mapping);
    public override bool? Contains(PyObject item) => Mapping is PyDict d && d.Type == PyDict.TypeObj ? d.ContainsKey(item) : Ops.Contains(Mapping, item);
    public override string Repr() => "mappingproxy(" + Ops.Repr(Mapping) + ")";
    public override string Str() => Ops.Str(Mapping);
    public override bool Hashable => false;
    public override PyObject? RichCompare(PyObject other, CmpOp op) => Ops.RichCompare(Mapping, other, op);

    /// <summary>CPython's mappingproxy_or: the proxies' mappings are or-ed (the result is whatever they make, a dict
    /// for two dicts).</summary>
    public override PyObject? BinOp(BinOp op, PyObject other)
        => op == Runtime.BinOp.Or ? Ops.BinaryOp(Mapping, other is PyMappingProxy p ? p.Mapping : other, op) : null;
    public override PyObject? RBinOp(BinOp op, PyObject other)
        => op == Runtime.BinOp.Or ? Ops.BinaryOp(other, Mapping, op) : null;
    public override PyObject? InplaceOp(BinOp op, PyObject other)
        => op == Runtime.BinOp.Or ? throw Ops.TypeError("'|=' is not supported by mappingproxy; use '|' instead") : null;

    private static PyMappingProxy Self(PyObject o, string name)
        => o as PyMappingProxy ?? throw Ops.TypeError($"descriptor '{name}' for 'mappingproxy' objects doesn't apply to a '{o.Type.Name}' object");

    public static void InitType(PyType t)
    {
        void Slot(string name, NativeFn fn, short arity)
        {
            var f = new PyBuiltinFunction(name, fn, true) { Owner = t, Arity = MethodArity.Wrapper, MinArgs = arity, MaxArgs = arity };
            t.TypeDict.SetItem(PyStr.Intern(name), f);
        }
        Slot("__getitem__", (a, k) => Self(a[0], "__getitem__").GetItem(a[1]), 1);
        Slot("__contains__", (a, k) => PyBool.Of(Self(a[0], "__contains__").Contains(a[1]) ?? false), 1);
        Slot("__len__", (a, k) => PyInt.Get(Self(a[0], "__len__").Len()), 0);
        Slot("__iter__", (a, k) => Self(a[0], "__iter__").Iter(), 0);
        Slot("__repr__", (a, k) => PyStr.Of(Self(a[0], "__repr__").Repr()), 0);
        Slot("__str__", (a, k) => PyStr.Of(Self(a[0], "__str__").Str()), 0);
        Slot("__or__", (a, k) => Self(a[0], "__or__").BinOp(Runtime.BinOp.Or, a[1]) ?? PyNotImplementedType.Instance, 1);
        Slot("__ror__", (a, k) => Self(a[0], "__ror__").RBinOp(Runtime.BinOp.Or, a[1]) ?? PyNotImplementedType.Instance, 1);
        Slot("__ior__", (a, k) => Self(a[0], "__ior__").InplaceOp(Runtime.BinOp.Or, a[1]) ?? PyNotImplementedType.Instance, 1);
        foreach (var (name, op) in new[] { ("__eq__", CmpOp.Eq), ("__ne__", CmpOp.Ne), ("__lt__", CmpOp.Lt), ("__le__", CmpOp.Le), ("__gt__", CmpOp.Gt), ("__ge__", CmpOp.Ge) })
            Slot(name, (a, k) => Self(a[0], name).RichCompare(a[1], op) ?? PyNotImplementedType.Instance, 1);
        t.SetMember("__hash__", PyNone.Instance);
        t.AddMethod("get", (a, k) =>
        {
            var self = Self(a[0], "get");
            var args = GetArgs.Parse(a.Slice(1), k);
            return Ops.CallMethod(self.Mapping, "get", args[0]!, args.Get(1));
        });
        t.AddMethod("keys", (a, k) => Ops.CallMethod(Self(a[0], "keys").Mapping, "keys"));
        t.AddMethod("values", (a, k) => Ops.CallMethod(Self(a[0], "values").Mapping, "values"));
        t.AddMethod("items", (a, k) => Ops.CallMethod(Self(a[0], "items").Mapping, "items"));
        t.AddMethod("copy", (a, k) => Ops.CallMethod(Self(a[0], "copy").Mapping, "copy"));
        t.AddMethod("__reversed__", (a, k) => Ops.Call1(Builtins.BuiltinsModule.ReversedType, Self(a[0], "__reversed__").Mapping));
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
    }
}
