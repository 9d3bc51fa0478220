using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_abc</c> (Modules/_abc.c): the C half of Lib's <c>abc.ABCMeta</c> — abstract-method discovery, the
/// registry of virtual subclasses and the positive/negative subclass caches that make <c>isinstance</c> on an ABC
/// cheap. The registry and caches hold classes weakly (as CPython's weak sets): they never keep a class alive.
/// The invalidation counter (<c>get_cache_token()</c>) is process-wide, as CPython's is per process.
/// </summary>
public static class AbcModule
{
    private static long s_invalidationCounter;

    private static readonly PyStr AbcImpl = PyStr.Intern("_abc_impl");
    private static readonly PyStr AbstractMethods = PyStr.Intern("__abstractmethods__");
    private static readonly PyStr IsAbstractMethod = PyStr.Intern("__isabstractmethod__");
    private static readonly PyStr AbcTpFlags = PyStr.Intern("__abc_tpflags__");
    private static readonly PyStr SubclassHook = PyStr.Intern("__subclasshook__");
    private static readonly PyStr SubclassCheck = PyStr.Intern("__subclasscheck__");
    private static readonly PyStr ClassAttr = PyStr.Intern("__class__");
    private static readonly PyStr MroAttr = PyStr.Intern("__mro__");

    private static PyType? s_dataType;
    private static readonly object TypeGate = new();

    private static PyType DataType
    {
        get
        {
            if (s_dataType is { } t) return t;
            lock (TypeGate) return s_dataType ??= new PyType("_abc_data", PyType.ObjectType, (cls, a, k) => new AbcData()) { ModuleName = "_abc" };
        }
    }

    public static PyModule Create()
    {
        var m = new PyModule("_abc");
        m.Add("__doc__", new PyStr("Module contains faster C implementation of abc.ABCMeta"));
        m.Add("_abc_data", DataType);
        m.AddFn("get_cache_token", (a, k) =>
        {
            ArgParser.NoArgs("get_cache_token", a, k);
            return PyInt.Get(System.Threading.Interlocked.Read(ref s_invalidationCounter));
        });
        m.AddFn("_abc_init", (a, k) => { Init(One("_abc_init", a, k)); return PyNone.Instance; });
        m.AddFn("_abc_register", (a, k) => { ArgParser.CheckPositional("_abc_register", a, k, 2, 2); return Register(a[0], a[1]); });
        m.AddFn("_abc_instancecheck", (a, k) => { ArgParser.CheckPositional("_abc_instancecheck", a, k, 2, 2); return PyBool.Of(InstanceCheck(a[0], a[1])); });
        m.AddFn("_abc_subclasscheck", (a, k) => { ArgParser.CheckPositional("_abc_subclasscheck", a, k, 2, 2); return PyBool.Of(SubclassCheckImpl(a[0], a[1])); });
        m.AddFn("_get_dump", (a, k) =>
        {
            var impl = Impl(One("_get_dump", a, k));
            return new PyTuple(new PyObject[]
            {
                impl.Registry.ToSet(), impl.Cache.ToSet(), impl.NegativeCache.ToSet(), PyInt.Get(impl.NegativeCacheVersion),
            });
        });
        m.AddFn("_reset_registry", (a, k) => { Impl(One("_reset_registry", a, k)).Registry.Clear(); return PyNone.Instance; });
        m.AddFn("_reset_caches", (a, k) =>
        {
            var impl = Impl(One("_reset_caches", a, k));
            impl.Cache.Clear();
            impl.NegativeCache.Clear();
            return PyNone.Instance;
        });
        return m;
    }

    private static PyObject One(string name, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0) throw Ops.TypeError($"{name}() takes no keyword arguments");
        if (a.Length != 1) throw Ops.TypeError($"{name}() takes exactly one argument ({a.Length} given)");
        return a[0];
    }

    /// <summary>A weak set of classes (by identity).</summary>
    private sealed class WeakClassSet
    {
        private ConditionalWeakTable<PyObject, object> _table = new();
        private int _count;
        public bool IsEmpty => _count == 0;
        public bool Contains(PyObject o) => _count != 0 && _table.TryGetValue(o, out _);
        public void Add(PyObject o)
        {
            if (_table.TryAdd(o, o)) _count++;
        }
        public void Clear() { _table = new(); _count = 0; }
        /// <summary>The live members (a snapshot: callers may run Python code while they walk it).</summary>
        public List<PyObject> Snapshot()
        {
            var r = new List<PyObject>();
            foreach (var kv in _table) r.Add(kv.Key);
            return r;
        }
        public PySet ToSet()
        {
            var s = new PySet(false);
            foreach (var o in Snapshot()) s.Add(o);
            return s;
        }
    }

    /// <summary>The per-class state (<c>cls._abc_impl</c>).</summary>
    private sealed class AbcData : PyObject
    {
        public readonly WeakClassSet Registry = new(), Cache = new(), NegativeCache = new();
        public long NegativeCacheVersion = System.Threading.Interlocked.Read(ref s_invalidationCounter);
        public override PyType Type => DataType;
    }

    private static AbcData Impl(PyObject self)
    {
        var impl = Ops.GetAttrOrNull(self, AbcImpl);
        if (impl == null) throw Ops.AttrError(self, AbcImpl);
        return impl as AbcData ?? throw Ops.TypeError("_abc_impl is set to a wrong type");
    }

    /// <summary>_abc_init: compute <c>__abstractmethods__</c> (own abstract names, and inherited abstract names not
    /// overridden by something concrete) and attach fresh <c>_abc_impl</c> data.</summary>
    private static void Init(PyObject self)
    {
        var abstracts = new PySet(false);
        var ns = Ops.GetAttr(self, PyStr.Intern("__dict__"));
        var items = Ops.ToArray(Ops.CallMethod(ns, "items"));
        foreach (var item in items)
        {
            var pair = Ops.ToArray(item);
            if (pair.Length != 2) throw Ops.TypeError("items() returned item which is not a 2-tuple");
            if (IsAbstract(pair[1])) abstracts.Add(pair[0]);
        }
        var bases = Ops.GetAttr(self, PyStr.Intern("__bases__"));
        if (bases is not PyTuple baseTuple) throw Ops.TypeError("__bases__ is not tuple");
        foreach (var b in baseTuple.Items)
        {
            var baseAbstracts = Ops.GetAttrOrNull(b, AbstractMethods);
            if (baseAbstracts == null) continue;
            foreach (var name in Ops.ToArray(baseAbstracts))
            {
                if (name is not PyStr attr) throw Ops.TypeError($"attribute name must be string, not '{name.Type.Name}'");
                var value = Ops.GetAttrOrNull(self, attr);
                if (value != null && IsAbstract(value)) abstracts.Add(name);
            }
        }
        Ops.SetAttr(self, AbstractMethods, new PySet(true, abstracts));
        Ops.SetAttr(self, AbcImpl, new AbcData());
        // collections.abc's Sequence/Mapping pattern-matching flags: consumed here, as CPython's _abc_init does
        if (self is PyType t && t.TypeDict.GetOrNull(AbcTpFlags.Value) != null) t.TypeDict.Remove(AbcTpFlags);
    }

    private static bool IsAbstract(PyObject value) =>
        Ops.GetAttrOrNull(value, IsAbstractMethod) is { } v && Ops.IsTrue(v);

    private static PyObject Register(PyObject self, PyObject subclass)
    {
        if (subclass is not PyType) throw Ops.TypeError("Can only register classes");
        if (Ops.IsSubclass(subclass, self)) return subclass;   // already a subclass
        if (Ops.IsSubclass(self, subclass)) throw Ops.RuntimeError("Refusing to create an inheritance cycle");
        Impl(self).Registry.Add(subclass);
        System.Threading.Interlocked.Increment(ref s_invalidationCounter);
        return subclass;
    }

    private static bool InstanceCheck(PyObject self, PyObject instance)
    {
        var impl = Impl(self);
        var subclass = Ops.GetAttr(instance, ClassAttr);
        if (impl.Cache.Contains(subclass)) return true;
        var subtype = instance.Type;
        var check = Ops.GetAttr(self, SubclassCheck);
        if (ReferenceEquals(subtype, subclass))
        {
            if (impl.NegativeCacheVersion == System.Threading.Interlocked.Read(ref s_invalidationCounter) && impl.NegativeCache.Contains(subclass))
                return false;
            return Ops.IsTrue(Ops.Call1(check, subclass));
        }
        if (Ops.IsTrue(Ops.Call1(check, subclass))) return true;
        return Ops.IsTrue(Ops.Call1(check, subtype));
    }

    private static bool SubclassCheckImpl(PyObject self, PyObject subclass)
    {
        if (subclass is not PyType) throw Ops.TypeError("issubclass() arg 1 must be a class");
        var impl = Impl(self);
        // 1. the positive cache
        if (impl.Cache.Contains(subclass)) return true;
        // 2. the negative cache, dropped when anything was registered since it was filled
        long counter = System.Threading.Interlocked.Read(ref s_invalidationCounter);
        if (impl.NegativeCacheVersion < counter)
        {
            impl.NegativeCache.Clear();
            impl.NegativeCacheVersion = counter;
        }
        else if (impl.NegativeCache.Contains(subclass)) return false;
        // 3. the subclass hook
        var ok = Ops.Call1(Ops.GetAttr(self, SubclassHook), subclass);
        if (ok == PyBool.True) { impl.Cache.Add(subclass); return true; }
        if (ok == PyBool.False) { impl.NegativeCache.Add(subclass); return false; }
        if (ok != PyNotImplementedType.Instance) throw Ops.Exc(PyBaseException.AssertionErrorType, "__subclasshook__ must return either False, True, or NotImplemented");
        // 4. a direct subclass
        if (Ops.GetAttrOrNull(subclass, MroAttr) is PyTuple mro)
        {
            foreach (var c in mro.Items)
                if (ReferenceEquals(c, self)) { impl.Cache.Add(subclass); return true; }
        }
        // 5. a subclass of a registered class
        if (!impl.Registry.IsEmpty)
        {
            foreach (var r in impl.Registry.Snapshot())
                if (Ops.IsSubclass(subclass, r)) { impl.Cache.Add(subclass); return true; }
        }
        // 6. a subclass of a subclass (recursively, through their own checks)
        var subclasses = Ops.CallMethod(self, "__subclasses__");
        foreach (var scls in Ops.ToArray(subclasses))
            if (Ops.IsSubclass(subclass, scls)) { impl.Cache.Add(subclass); return true; }
        // 7. no
        impl.NegativeCache.Add(subclass);
        return false;
    }
}
