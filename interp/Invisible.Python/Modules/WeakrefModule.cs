using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_weakref</c> (Modules/_weakref.c, Objects/weakrefobject.c): <c>ref</c> (subclassable, as Lib's
/// <c>weakref.WeakMethod</c> and <c>KeyedRef</c> need), <c>proxy</c>, <c>getweakrefcount</c>, <c>getweakrefs</c>,
/// <c>_remove_dead_weakref</c>. The referent is held by a .NET <see cref="WeakReference{T}"/>, so a reference goes dead
/// when the garbage collector reclaims the object, not at the last <c>del</c> as under CPython's reference counting.
/// <para>Not yet: callbacks are stored (<c>__callback__</c>) but not called when the referent dies: the collector
/// reclaims objects on its own thread, outside the interpreter lock, and a safe point to run them is still to come.</para>
/// </summary>
public static class WeakrefModule
{
    public static PyModule Create()
    {
        var m = new PyModule("_weakref");
        m.Add("__doc__", new PyStr("Weak-reference support module."));
        m.Add("ref", PyWeakRef.RefType);
        m.Add("ReferenceType", PyWeakRef.RefType);
        m.Add("ProxyType", PyWeakProxy.ProxyType);
        m.Add("CallableProxyType", PyWeakProxy.CallableProxyType);
        PyWeakProxy.AddMethods(PyWeakProxy.ProxyType);
        PyWeakProxy.AddMethods(PyWeakProxy.CallableProxyType);
        m.AddFn("getweakrefcount", (a, k) =>
        {
            ArgCount(a, k, "getweakrefcount", 1);
            return PyInt.Get(WeakRefs.Live(a[0]).Count);
        });
        m.AddFn("getweakrefs", (a, k) =>
        {
            ArgCount(a, k, "getweakrefs", 1);
            var l = new PyList();
            foreach (var r in WeakRefs.Live(a[0])) l.Append(r);
            return l;
        });
        m.AddFn("proxy", (a, k) =>
        {
            if (k != null && k.Length > 0) throw Ops.TypeError("proxy() takes no keyword arguments");
            if (a.Length < 1 || a.Length > 2) throw Ops.TypeError($"proxy expected at least 1 argument, got {a.Length}");
            var cb = a.Length == 2 && a[1] != PyNone.Instance ? a[1] : null;
            WeakRefs.CheckReferenceable(a[0]);
            var p = new PyWeakProxy(a[0], cb);
            WeakRefs.Register(a[0], p);
            return p;
        });
        m.AddFn("_remove_dead_weakref", (a, k) =>
        {
            ArgCount(a, k, "_remove_dead_weakref", 2);
            var d = a[0] as PyDict ?? throw Ops.TypeError($"_remove_dead_weakref() argument 1 must be dict, not {a[0].Type.Name}");
            var v = d.GetOrNull(a[1]);
            if (v is PyWeakRef r && r.Target == null) d.DelItem(a[1]);
            return PyNone.Instance;
        });
        return m;
    }

    private static void ArgCount(ReadOnlySpan<PyObject> a, PyStr[]? k, string name, int n)
    {
        if (k != null && k.Length > 0) throw Ops.TypeError($"{name}() takes no keyword arguments");
        if (a.Length != n)
            throw Ops.TypeError(n == 1 ? $"_weakref.{name}() takes exactly one argument ({a.Length} given)" : $"{name} expected {n} arguments, got {a.Length}");
    }
}

/// <summary>Which weak references point at an object (for <c>getweakrefcount</c>, <c>getweakrefs</c> and the reuse of
/// a callback-less <c>ref</c>). Keyed weakly by the referent, so the table never keeps an object alive.</summary>
internal static class WeakRefs
{
    private static readonly ConditionalWeakTable<PyObject, List<WeakReference<PyObject>>> Table = new();

    public static void CheckReferenceable(PyObject o)
    {
        // CPython: types without tp_weaklistoffset; subclasses of the variable-sized ones (int, str, bytes, tuple)
        // cannot add it either, while subclasses of list and dict can.
        bool refusable = o is PyInt || o is PyStr || o is PyBytes || o is PyTuple || o is PyNone || o is PyFloat
            || ((o is PyList || o is PyDict) && !o.Type.IsHeap);
        if (refusable) throw Ops.TypeError($"cannot create weak reference to '{o.Type.Name}' object");
    }

    public static void Register(PyObject target, PyObject weak)
    {
        var l = Table.GetOrCreateValue(target);
        lock (l) l.Add(new WeakReference<PyObject>(weak));
    }

    /// <summary>The live weak references (refs and proxies) to <paramref name="target"/>, oldest first.</summary>
    public static List<PyObject> Live(PyObject target)
    {
        var r = new List<PyObject>();
        if (!Table.TryGetValue(target, out var l)) return r;
        lock (l)
        {
            l.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (var w in l) if (w.TryGetTarget(out var o)) r.Add(o);
        }
        return r;
    }
}

/// <summary><c>weakref.ref</c> (<c>weakref.ReferenceType</c>).</summary>
public sealed class PyWeakRef : PyObject
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    /// <summary>The type, made once for the process (a built-in type shared by every interpreter).</summary>
    public static PyType RefType
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    private readonly PyType _type;
    private readonly WeakReference<PyObject> _target;
    private PyDict? _dict;
    private long _hash = -1;
    public readonly PyObject? Callback;

    private PyWeakRef(PyType type, PyObject target, PyObject? callback)
    {
        _type = type;
        _target = new WeakReference<PyObject>(target);
        Callback = callback;
    }

    public override PyType Type => _type;
    public override PyDict? Dict => _type == RefType ? null : _dict ??= new PyDict();
    public override bool IsCallable => true;

    /// <summary>The referent, or null once it has been reclaimed.</summary>
    public PyObject? Target => _target.TryGetTarget(out var o) ? o : null;

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (_type.IsHeap && _type.LookupHeap(PyStr.S___call__) is { } own)
        {
            // A subclass's own __call__ (WeakMethod's) wins over the referent lookup.
            var all = new PyObject[args.Length + 1];
            all[0] = this;
            args.CopyTo(all.AsSpan(1));
            return Ops.Call(own, all, kwnames);
        }
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError("weakref() takes no keyword arguments");
        if (args.Length != 0) throw Ops.TypeError($"weakref expected 0 arguments, got {args.Length}");
        return Target ?? PyNone.Instance;
    }

    public override long Hash()
    {
        if (_hash != -1) return _hash;
        var o = Target ?? throw Ops.TypeError("weak object has gone away");
        return _hash = Ops.Hash(o);
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if ((op != CmpOp.Eq && op != CmpOp.Ne) || other is not PyWeakRef w) return PyNotImplementedType.Instance;
        var a = Target;
        var b = w.Target;
        if (a == null || b == null)
        {
            bool same = ReferenceEquals(this, w);
            return PyBool.Of(op == CmpOp.Eq ? same : !same);
        }
        return Ops.RichCompare(a, b, op);
    }

    public override string Repr()
    {
        var o = Target;
        if (o == null) return $"<weakref at 0x{Ops.Id(this):x}; dead>";
        var name = o.GetAttrOrNull(PyStr.Intern("__name__"));
        return name is PyStr s
            ? $"<weakref at 0x{Ops.Id(this):x}; to '{o.Type.QualName}' at 0x{Ops.Id(o):x} ({s.Value})>"
            : $"<weakref at 0x{Ops.Id(this):x}; to '{o.Type.QualName}' at 0x{Ops.Id(o):x}>";
    }

    private static PyObject Make(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0 && cls == RefType) throw Ops.TypeError("ref() takes no keyword arguments");
        int npos = a.Length - (k?.Length ?? 0);
        if (npos < 1) throw Ops.TypeError($"__new__ expected at least 1 argument, got {npos}");
        if (npos > 2) throw Ops.TypeError($"__new__ expected at most 2 arguments, got {npos}");
        var target = a[0];
        var cb = npos == 2 && a[1] != PyNone.Instance ? a[1] : null;
        WeakRefs.CheckReferenceable(target);
        if (cb == null && cls == RefType)
        {
            // CPython shares the one callback-less basic ref to an object.
            foreach (var w in WeakRefs.Live(target))
                if (w is PyWeakRef r && r._type == RefType && r.Callback == null) return r;
        }
        var made = new PyWeakRef(cls, target, cb);
        WeakRefs.Register(target, made);
        return made;
    }

    private static PyType CreateType()
    {
        var t = new PyType("ReferenceType", PyType.ObjectType, Make) { ModuleName = "weakref" };
        t.TypeDict.SetItem(PyStr.Intern("__doc__"), PyNone.Instance);
        // Subclasses pass their own arguments to __init__ (KeyedRef's key): ref.__init__ accepts and ignores them.
        t.AddMethod("__init__", (a, k) => PyNone.Instance);
        t.AddMethod("__call__", (a, k) =>
        {
            if (a.Length != 1) throw Ops.TypeError($"weakref expected 0 arguments, got {a.Length - 1}");
            return ((PyWeakRef)a[0]).Target ?? PyNone.Instance;
        });
        t.AddMethod("__hash__", (a, k) => PyInt.Get(a[0].Hash()));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        t.AddMethod("__eq__", (a, k) => a[0].RichCompare(a[1], CmpOp.Eq)!);
        t.AddMethod("__ne__", (a, k) => a[0].RichCompare(a[1], CmpOp.Ne)!);
        t.SetMember("__callback__", new PyProperty(new PyBuiltinFunction("__callback__", (a, k) => ((PyWeakRef)a[0]).Callback ?? PyNone.Instance), null, null, PyNone.Instance));
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        return t;
    }
}

/// <summary><c>weakref.proxy</c>'s objects: attribute access, calls, items, len, iteration, str and comparison go to
/// the referent; a dead one raises ReferenceError.</summary>
public sealed class PyWeakProxy : PyObject
{
    public static readonly PyType ProxyType = new("ProxyType", PyType.ObjectType, null) { ModuleName = "weakref" };
    public static readonly PyType CallableProxyType = new("CallableProxyType", PyType.ObjectType, null) { ModuleName = "weakref" };

    private readonly WeakReference<PyObject> _target;
    private readonly bool _callable;
    public readonly PyObject? Callback;

    public PyWeakProxy(PyObject target, PyObject? callback)
    {
        _target = new WeakReference<PyObject>(target);
        _callable = target.IsCallable;
        Callback = callback;
    }

    public override PyType Type => _callable ? CallableProxyType : ProxyType;
    public override bool IsCallable => _callable;
    public override bool Hashable => false;

    private PyObject Referent => _target.TryGetTarget(out var o) ? o : throw Ops.Exc(PyBaseException.All["ReferenceError"], "weakly-referenced object no longer exists");

    public override PyObject? GetAttrOrNull(PyStr name) => Ops.GetAttrOrNull(Referent, name);
    public override void SetAttr(PyStr name, PyObject value) => Ops.SetAttr(Referent, name, value);
    public override void DelAttr(PyStr name) => Referent.DelAttr(name);
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames) => Ops.Call(Referent, args, kwnames);
    public override PyObject GetItem(PyObject key) => Ops.GetItem(Referent, key);
    public override void SetItem(PyObject key, PyObject value) => Ops.SetItem(Referent, key, value);
    public override void DelItem(PyObject key) => Ops.DelItem(Referent, key);
    public override PyObject Iter() => Ops.GetIter(Referent);
    public override bool HasLen => true;
    public override int Len() => Ops.Len(Referent);
    public override bool IsTrue() => Ops.IsTrue(Referent);
    public override bool? Contains(PyObject item) => Ops.Contains(Referent, item);
    public override string Str() => Ops.Str(Referent);
    public override long Hash() => throw Ops.TypeError($"unhashable type: '{Type.Name}'");
    public override PyObject? RichCompare(PyObject other, CmpOp op) =>
        Ops.RichCompare(Referent, Unwrap(other), op);

    // CPython's proxy forwards every number slot to the referent, either operand unwrapped (WRAP_BINARY).
    private static PyObject Unwrap(PyObject o) => o is PyWeakProxy p ? p.Referent : o;
    public override PyObject? BinOp(BinOp op, PyObject other) => Ops.BinaryOp(Referent, Unwrap(other), op);
    public override PyObject? RBinOp(BinOp op, PyObject other) => Ops.BinaryOp(Unwrap(other), Referent, op);
    public override PyObject? InplaceOp(BinOp op, PyObject other) => Ops.InplaceOp(Referent, Unwrap(other), op);
    public override PyObject? UnaryOp(UnOp op) => Ops.UnaryOp(Referent, op);

    /// <summary>proxy_iternext: only a referent that is an iterator may be advanced through its proxy.</summary>
    public override PyObject? Next()
    {
        var o = Referent;
        if (!Ops.IsIterator(o) && o is not Vm.PyGenerator)
            throw Ops.TypeError($"Weakref proxy referenced a non-iterator '{o.Type.Name}' object");
        return Ops.Next(o);
    }

    /// <summary>The methods CPython's proxy types define beside their slots.</summary>
    internal static void AddMethods(PyType t)
    {
        t.AddMethod("__reversed__", (a, k) => Ops.CallArgs(Vm.ThreadState.Current.Interp.Builtins.GetOrNull("reversed")!, ((PyWeakProxy)a[0]).Referent));
        t.AddMethod("__bytes__", (a, k) => Ops.CallArgs(PyBytes.TypeObj, ((PyWeakProxy)a[0]).Referent));
    }

    public override string Repr()
    {
        if (!_target.TryGetTarget(out var o)) return $"<weakproxy at 0x{Ops.Id(this):x}; dead>";
        return $"<weakproxy at 0x{Ops.Id(this):x}; to '{o.Type.QualName}' at 0x{Ops.Id(o):x}>";
    }
}
