using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_weakref</c> (Modules/_weakref.c, Objects/weakrefobject.c): <c>ref</c> (subclassable, as Lib's
/// <c>weakref.WeakMethod</c> and <c>KeyedRef</c> need), <c>proxy</c>, <c>getweakrefcount</c>, <c>getweakrefs</c>,
/// <c>_remove_dead_weakref</c>. The referent is held by a .NET <see cref="WeakReference{T}"/>, so a reference goes dead
/// when the garbage collector reclaims the object, not at the last <c>del</c> as under CPython's reference counting.
/// Callbacks are called when the referent dies, at the interpreter's next safe point (the end of <c>gc.collect()</c>,
/// the eval loop's periodic check: <see cref="Vm.Finalization"/>), most recent ref first; one that raises is reported
/// through <c>sys.unraisablehook</c>.
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
            if (cb == null && WeakRefs.Basic(a[0], proxy: true) is { } basic) return basic;
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

/// <summary>Which weak references point at an object (for <c>getweakrefcount</c>, <c>getweakrefs</c>, the reuse of
/// a callback-less <c>ref</c>, and the callbacks when it dies). Keyed weakly by the referent, so the table never keeps
/// an object alive.</summary>
internal static class WeakRefs
{
    private static readonly ConditionalWeakTable<PyObject, WeakRefList> Table = new();

    public static void CheckReferenceable(PyObject o)
    {
        // CPython: types without tp_weaklistoffset; subclasses of the variable-sized ones (int, str, bytes, tuple)
        // cannot add it either, while subclasses of list, dict and float can.
        bool refusable = o is PyInt || o is PyStr || o is PyBytes || o is PyTuple || o is PyNone
            || ((o is PyList || o is PyDict || o is PyFloat) && !o.Type.IsHeap);
        if (refusable) throw Ops.TypeError($"cannot create weak reference to '{o.Type.Name}' object");
    }

    public static void Register(PyObject target, PyObject weak) => Table.GetOrCreateValue(target).Add(weak);

    /// <summary>The callback-less <c>ref</c> (exactly <c>weakref.ref</c>, not a subclass) or proxy to
    /// <paramref name="target"/> that is still alive, shared by every such request as in CPython.</summary>
    public static PyObject? Basic(PyObject target, bool proxy) =>
        Table.TryGetValue(target, out var l) ? l.Basic(proxy) : null;

    /// <summary>The live weak references (refs and proxies) to <paramref name="target"/>, in CPython's order: the
    /// basic ref, the basic proxy, then the others, most recent first.</summary>
    public static List<PyObject> Live(PyObject target)
    {
        var r = new List<PyObject>();
        if (Table.TryGetValue(target, out var l)) l.CopyLive(r);
        return r;
    }
}

/// <summary>
/// The weak references to one referent, held by it through <see cref="WeakRefs"/>' table: this list dies with the
/// referent, and its .NET finalizer is how we learn that the referent died. It then queues the callbacks of its
/// refs and proxies that are still alive, in CPython's order (<c>PyObject_ClearWeakRefs</c>: the list from its head,
/// so the most recent first), on the queue of the interpreter that made each ref (<see cref="Vm.FinalizationQueue"/>).
/// It runs on the finalizer thread: it only enqueues (see <see cref="Vm.Finalization"/>).
/// <para>The refs are held by weak GC handles, not <see cref="WeakReference{T}"/> objects: those have finalizers of
/// their own, which may run before this one.</para>
/// </summary>
internal sealed class WeakRefList
{
    // The shared callback-less ref and proxy (CPython keeps them at the head of the list), then the others in the
    // order they were made (read backwards).
    private GCHandle _basicRef, _basicProxy;
    private GCHandle[] _others = Array.Empty<GCHandle>();
    private int _count;

    private static bool IsBasic(PyObject weak, out bool proxy)
    {
        proxy = weak is PyWeakProxy;
        return weak is PyWeakRef r ? r.Type == PyWeakRef.RefType && r.Callback == null : proxy && ((PyWeakProxy)weak).Callback == null;
    }

    public void Add(PyObject weak)
    {
        lock (this)
        {
            if (IsBasic(weak, out bool proxy))
            {
                ref GCHandle slot = ref proxy ? ref _basicProxy : ref _basicRef;
                if (!slot.IsAllocated) slot = GCHandle.Alloc(weak, GCHandleType.Weak);
                else if (slot.Target == null) slot.Target = weak;
                else goto other; // a live one exists (the caller shares it): keep this one as an ordinary ref
                return;
            }
        other:
            if (_count == _others.Length)
            {
                Compact();
                if (_count == _others.Length) Array.Resize(ref _others, Math.Max(2, _count * 2));
            }
            _others[_count++] = GCHandle.Alloc(weak, GCHandleType.Weak);
        }
    }

    public PyObject? Basic(bool proxy)
    {
        lock (this)
        {
            GCHandle h = proxy ? _basicProxy : _basicRef;
            return h.IsAllocated ? h.Target as PyObject : null;
        }
    }

    /// <summary>Drop the handles of refs that died (under the lock).</summary>
    private void Compact()
    {
        int j = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_others[i].Target == null) { _others[i].Free(); continue; }
            _others[j++] = _others[i];
        }
        for (int i = j; i < _count; i++) _others[i] = default;
        _count = j;
    }

    public void CopyLive(List<PyObject> into)
    {
        lock (this)
        {
            if (_basicRef.IsAllocated && _basicRef.Target is PyObject r) into.Add(r);
            if (_basicProxy.IsAllocated && _basicProxy.Target is PyObject p) into.Add(p);
            for (int i = _count - 1; i >= 0; i--)
                if (_others[i].Target is PyObject o) into.Add(o);
        }
    }

    ~WeakRefList()
    {
        // The referent is unreachable (its short weak references are cleared already). No lock: nothing else can
        // reach this list any more. The basic ref and proxy have no callback.
        if (_basicRef.IsAllocated) _basicRef.Free();
        if (_basicProxy.IsAllocated) _basicProxy.Free();
        for (int i = _count - 1; i >= 0; i--)
        {
            object? o = _others[i].Target;
            _others[i].Free();
            switch (o)
            {
                case PyWeakRef r when r.TakeCallback() is { } cb:
                    r.Owner!.Finalizers.EnqueueCallback(r, cb);
                    break;
                case PyWeakProxy p when p.TakeCallback() is { } cb:
                    p.Owner!.Finalizers.EnqueueCallback(p, cb);
                    break;
            }
        }
        _count = 0;
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
    private PyObject? _callback;
    /// <summary>The interpreter whose queue gets the callback (the one that made this ref), when there is one.</summary>
    internal readonly Vm.InterpreterState? Owner;

    private PyWeakRef(PyType type, PyObject target, PyObject? callback)
    {
        _type = type;
        _target = new WeakReference<PyObject>(target);
        _callback = callback;
        if (callback != null) Owner = Vm.ThreadState.Current.Interp;
    }

    /// <summary><c>__callback__</c>: None once the referent died (CPython clears it then).</summary>
    public PyObject? Callback => Volatile.Read(ref _callback);

    /// <summary>The referent died: the callback to call, taken once (the finalizer thread).</summary>
    internal PyObject? TakeCallback() => Owner == null ? null : Interlocked.Exchange(ref _callback, null);

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
        if ((op != CmpOp.Eq && op != CmpOp.Ne) || other is not PyWeakRef w) return null;
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
        // CPython shares the one callback-less basic ref to an object.
        if (cb == null && cls == RefType && WeakRefs.Basic(target, proxy: false) is { } basic) return basic;
        var made = new PyWeakRef(cls, target, cb);
        WeakRefs.Register(target, made);
        return made;
    }

    private static PyType CreateType()
    {
        var t = new PyType("ReferenceType", PyType.ObjectType, Make) { ModuleName = "weakref" };
        t.TypeDict.SetItem(PyStr.Intern("__doc__"), PyNone.Instance);
        // Subclasses pass their own arguments to __init__ (KeyedRef's key): ref.__init__ accepts and ignores them.
        t.AddMethod("__init__", (a, k) =>
        {
            // weakref___init__: the same arguments as __new__ (a subclass's __init__ takes its own).
            int npos = a.Length - 1 - (k?.Length ?? 0);
            if (npos < 1) throw Ops.TypeError($"__init__ expected at least 1 argument, got {npos}");
            if (npos > 2) throw Ops.TypeError($"__init__ expected at most 2 arguments, got {npos}");
            return PyNone.Instance;
        });
        t.AddMethod("__call__", (a, k) =>
        {
            if (a.Length != 1) throw Ops.TypeError($"weakref expected 0 arguments, got {a.Length - 1}");
            return ((PyWeakRef)a[0]).Target ?? PyNone.Instance;
        });
        t.AddMethod("__hash__", (a, k) => PyInt.Get(a[0].Hash()));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        t.AddMethod("__eq__", (a, k) => a[0].RichCompare(a[1], CmpOp.Eq) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ne__", (a, k) => a[0].RichCompare(a[1], CmpOp.Ne) ?? PyNotImplementedType.Instance);
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
    private PyObject? _callback;
    /// <summary>The interpreter whose queue gets the callback (the one that made this proxy), when there is one.</summary>
    internal readonly Vm.InterpreterState? Owner;

    public PyWeakProxy(PyObject target, PyObject? callback)
    {
        _target = new WeakReference<PyObject>(target);
        _callable = Builtins.BuiltinsModule.IsCallable(target);
        _callback = callback;
        if (callback != null) Owner = Vm.ThreadState.Current.Interp;
    }

    public PyObject? Callback => Volatile.Read(ref _callback);

    /// <summary>The referent died: the callback to call, taken once (the finalizer thread).</summary>
    internal PyObject? TakeCallback() => Owner == null ? null : Interlocked.Exchange(ref _callback, null);

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
        // proxy_index/proxy_int/proxy_float: operator.index(p), int(p), float(p) reach the referent's slots.
        t.AddMethod("__index__", (a, k) => Ops.Index(((PyWeakProxy)a[0]).Referent));
        t.AddMethod("__int__", (a, k) => Ops.CallArgs(PyInt.TypeObj, ((PyWeakProxy)a[0]).Referent));
        t.AddMethod("__float__", (a, k) => Ops.CallArgs(PyFloat.TypeObj, ((PyWeakProxy)a[0]).Referent));
    }

    public override string Repr()
    {
        // CPython 3.11's proxy_repr: a dead proxy's referent is None
        PyObject o = _target.TryGetTarget(out var live) ? live : PyNone.Instance;
        return $"<weakproxy at 0x{Ops.Id(this):x} to {o.Type.Name} at 0x{Ops.Id(o):x}>";
    }
}
