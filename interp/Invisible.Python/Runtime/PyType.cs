using System;
using System.Collections.Generic;

namespace Invisible.Python.Runtime;

public delegate PyObject NativeFn(ReadOnlySpan<PyObject> args, PyStr[]? kwnames);
public delegate PyObject NewFn(PyType cls, ReadOnlySpan<PyObject> args, PyStr[]? kwnames);

/// <summary>A Python class: builtin (C#-implemented) or heap (created by a class statement).</summary>
public sealed class PyType : PyObject
{
    public static PyType TypeType = null!;
    public static PyType ObjectType = null!;
    public static int GlobalVersion;

    public string Name;
    public string? ModuleName;
    public string? QualNameOverride;
    public PyType[] Bases;
    public PyType[] Mro = Array.Empty<PyType>();
    public readonly PyDict TypeDict = new();
    public readonly bool IsHeap;
    /// <summary>Creates a bare instance (the builtin part of __new__), inherited from the solid base.</summary>
    public NewFn? New;
    public PyType? Meta;
    /// <summary>__slots__: members its instances hold (own and inherited), and whether they have no __dict__.</summary>
    public int SlotCount;
    public bool NoInstanceDict;
    /// <summary>The attribute names its instances' dicts share (<see cref="PyInstance.Dict"/>): only for classes made
    /// by <c>type(name, bases, ns)</c> (class statements), never for types made in C# (AST nodes, ModuleSpec), which
    /// every interpreter of the process shares and whose instances two interpreters' threads may build at once.</summary>
    internal SharedDictKeys? InstanceKeys;
    private Dictionary<PyStr, PyObject?>? _cache;
    private int _cacheVersion = -1;
    private Dictionary<PyStr, PyObject?>? _heapCache;
    private int _heapCacheVersion = -1;

    public PyType(string name, PyType? baseType, NewFn? newFn, bool isHeap = false)
    {
        Name = name;
        Bases = baseType == null ? Array.Empty<PyType>() : new[] { baseType };
        New = newFn ?? baseType?.New;
        IsHeap = isHeap;
        ComputeMro();
        RegisterWithBases();
    }

    public PyType(string name, PyType[] bases, bool isHeap)
    {
        Name = name;
        Bases = bases;
        IsHeap = isHeap;
        ComputeMro();
        foreach (var t in Mro) if (t.New != null && !t.IsHeap) { New = t.New; break; }
        RegisterWithBases();
    }

    // type.__subclasses__(): each base keeps weak references to its direct subclasses (a class that is no longer
    // referenced is not kept alive by its base, as in CPython); guarded by the list itself (types may be made on
    // several threads).
    private List<WeakReference<PyType>>? _subclasses;

    private void RegisterWithBases()
    {
        foreach (var b in Bases)
        {
            var list = b._subclasses ?? System.Threading.Interlocked.CompareExchange(ref b._subclasses, new List<WeakReference<PyType>>(), null) ?? b._subclasses!;
            lock (list)
            {
                if (list.Count >= 16 && (list.Count & (list.Count - 1)) == 0) list.RemoveAll(w => !w.TryGetTarget(out _));
                list.Add(new WeakReference<PyType>(this));
            }
        }
    }

    /// <summary>The direct subclasses still alive, oldest first (<c>type.__subclasses__()</c>).</summary>
    public PyList Subclasses()
    {
        var result = new PyList();
        var list = _subclasses;
        if (list == null) return result;
        lock (list)
            foreach (var w in list)
                if (w.TryGetTarget(out var t) && Array.IndexOf(t.Bases, this) >= 0) result.Append(t);
        return result;
    }

    /// <summary>CPython's Py_TPFLAGS_IS_ABSTRACT: set when a true <c>__abstractmethods__</c> is assigned to this very
    /// type (not inherited); <c>object.__new__</c> refuses such a class.</summary>
    public bool IsAbstract;

    private static readonly PyStr S___del__ = PyStr.Intern("__del__");
    private bool _hasDel;
    private int _hasDelVersion = -1;

    /// <summary>A heap class whose instances have a <c>__del__</c> (own or inherited, assigned late too): the
    /// instances it makes get a finalizer (<see cref="Vm.Finalization.OnNew"/>). Cached until a class changes.</summary>
    public bool HasDel
    {
        get
        {
            if (_hasDelVersion == GlobalVersion) return _hasDel;
            _hasDel = LookupHeap(S___del__) != null;
            _hasDelVersion = GlobalVersion;
            return _hasDel;
        }
    }

    public override PyType Type => Meta ?? TypeType;
    public override PyDict? Dict => TypeDict;
    public override bool IsCallable => true;
    public string QualName => QualNameOverride ?? Name;

    public void ComputeMro()
    {
        if (Bases.Length == 0) { Mro = new[] { this }; return; }
        if (Bases.Length == 1) { var bm = Bases[0].Mro; Mro = new PyType[bm.Length + 1]; Mro[0] = this; Array.Copy(bm, 0, Mro, 1, bm.Length); return; }
        var seqs = new List<List<PyType>>();
        foreach (var b in Bases) seqs.Add(new List<PyType>(b.Mro));
        seqs.Add(new List<PyType>(Bases));
        var result = new List<PyType> { this };
        while (true)
        {
            seqs.RemoveAll(s => s.Count == 0);
            if (seqs.Count == 0) break;
            PyType? cand = null;
            foreach (var s in seqs)
            {
                var head = s[0];
                bool inTail = false;
                foreach (var s2 in seqs) if (s2.IndexOf(head) > 0) { inTail = true; break; }
                if (!inTail) { cand = head; break; }
            }
            if (cand == null)
            {
                var names = new List<string>();
                foreach (var b in Bases) names.Add(b.Name);
                throw Ops.TypeError("Cannot create a consistent method resolution\norder (MRO) for bases " + string.Join(", ", names));
            }
            result.Add(cand);
            foreach (var s in seqs) if (s[0] == cand) s.RemoveAt(0);
        }
        Mro = result.ToArray();
    }

    public bool IsSubtypeOf(PyType other)
    {
        if (ReferenceEquals(this, other)) return true;
        var m = Mro;
        for (int i = 0; i < m.Length; i++) if (ReferenceEquals(m[i], other)) return true;
        return false;
    }

    /// <summary>Look a name up along the MRO (cached).</summary>
    public PyObject? Lookup(PyStr name)
    {
        if (_cacheVersion != GlobalVersion) { _cache ??= new(); _cache.Clear(); _cacheVersion = GlobalVersion; }
        if (_cache!.TryGetValue(name, out var r)) return r;
        r = null;
        foreach (var t in Mro)
        {
            var v = t.TypeDict.GetOrNull(name);
            if (v != null) { r = v; break; }
        }
        _cache[name] = r;
        return r;
    }

    /// <summary>Look a name up only in heap classes of the MRO (user overrides of builtin slots).</summary>
    public PyObject? LookupHeap(PyStr name)
    {
        if (!IsHeap) return null;
        if (_heapCacheVersion != GlobalVersion) { _heapCache ??= new(); _heapCache.Clear(); _heapCacheVersion = GlobalVersion; }
        if (_heapCache!.TryGetValue(name, out var r)) return r;
        r = null;
        foreach (var t in Mro)
        {
            if (!t.IsHeap) continue;
            var v = t.TypeDict.GetOrNull(name);
            if (v != null) { r = v; break; }
        }
        _heapCache[name] = r;
        return r;
    }

    public void SetMember(string name, PyObject value) => TypeDict.SetItem(PyStr.Intern(name), value);

    public void AddMethod(string name, NativeFn fn) => TypeDict.SetItem(PyStr.Intern(name), new PyBuiltinFunction(name, fn, true));

    // the str objects __name__ and __qualname__ return: the same object each time, as CPython's ht_name (inspect
    // compares attributes by identity)
    private PyStr? _nameStr, _qualNameStr;
    private PyStr NameStr() => _nameStr is { } n && ReferenceEquals(n.Value, Name) ? n : _nameStr = new PyStr(Name);
    private PyStr QualNameStr()
    {
        var q = QualName;
        return _qualNameStr is { } n && ReferenceEquals(n.Value, q) ? n : _qualNameStr = new PyStr(q);
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        // CPython 3.10+'s type __annotations__ getter: a class's own, never its base's; an empty dict made on first access
        if (IsHeap && name.Value.Length == 15 && name.Value == "__annotations__" && TypeDict.GetOrNull(name) == null)
        {
            var ann = new PyDict();
            SetAttr(name, ann);
            return ann;
        }
        // type's data descriptors (__name__, __qualname__, __mro__, __bases__, __base__, __dict__ and object's
        // __class__) come before the class's own dict: a class attribute or property of that name serves its
        // instances, not the class (CPython's type_getattro); a metaclass's own attribute of that name still wins
        if (name.Value.Length >= 7 && name.Value[0] == '_' && (Meta == null || Meta.LookupHeap(name) == null))
        {
            switch (name.Value)
            {
                case "__name__": return NameStr();
                case "__qualname__": return QualNameStr();
                case "__mro__": return new PyTuple(Mro);
                case "__bases__": return new PyTuple(Bases.Length == 0 ? Array.Empty<PyObject>() : Bases);
                case "__base__": return Bases.Length == 0 ? PyNone.Instance : Bases[0];
                case "__dict__": return new PyMappingProxy(TypeDict);
                case "__class__": return Type;
            }
        }
        var attr = Lookup(name);
        if (attr != null)
        {
            switch (attr)
            {
                case PyClassMethod cm: return new PyBoundMethod(this, cm.Func);
                case PyStaticMethod sm: return sm.Func;
                case PyFunction: return attr;
                case PyBuiltinFunction: return attr;
                case PyProperty: return attr;
            }
            if (attr.Type.IsHeap)
            {
                var get = attr.Type.Lookup(PyStr.S___get__);
                if (get != null) return Ops.CallArgs(get, attr, PyNone.Instance, this);
            }
            return attr;
        }
        switch (name.Value)
        {
            case "__name__": return new PyStr(Name);
            case "__qualname__": return new PyStr(QualName);
            case "__module__": return new PyStr(ModuleName ?? "builtins");
            case "__mro__": return new PyTuple(Mro);
            case "__bases__": return new PyTuple(Bases.Length == 0 ? Array.Empty<PyObject>() : Bases);
            case "__base__": return Bases.Length == 0 ? PyNone.Instance : Bases[0];
            case "__dict__": return new PyMappingProxy(TypeDict);
            case "__class__": return Type;
            case "__doc__": return PyNone.Instance;
            case "mro": return new PyBuiltinFunction("mro", (a, k) => new PyList(Mro));
            case "__subclasses__": return new PyBuiltinFunction("__subclasses__", (a, k) => Subclasses());
            case "__itemsize__": return PyInt.Get(ItemSize());
        }
        // metaclass attributes
        if (Meta != null)
        {
            var ma = Meta.Lookup(name);
            if (ma is PyFunction) return new PyBoundMethod(this, ma);
            // classmethod/staticmethod defined on the metaclass: classmethod.__get__(cls, type(cls)) binds the metaclass
            if (ma is PyClassMethod mcm) return new PyBoundMethod(Meta, mcm.Func);
            if (ma is PyStaticMethod msm) return msm.Func;
            if (ma is PyProperty mp && mp.Get != null) return Ops.CallArgs(mp.Get, this);
            if (ma != null) return ma;
        }
        return null;
    }

    /// <summary>CPython's tp_itemsize of the variable-size built-in types (tuple's item pointers, int's 30-bit
    /// digits, bytes' chars), inherited by subclasses; 0 for the others.</summary>
    private int ItemSize()
    {
        foreach (var t in Mro)
        {
            if (t == PyTuple.TypeObj) return 8;
            if (t == PyInt.TypeObj) return 4;
            if (t == PyBytes.TypeObj) return 1;
        }
        return 0;
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (!IsHeap) throw Ops.TypeError($"cannot set '{name.Value}' attribute of immutable type '{Name}'");
        if (name.Value == "__name__") { Name = ((PyStr)value).Value; return; }
        if (name.Value == "__qualname__") { QualNameOverride = ((PyStr)value).Value; return; }
        if (name.Value == "__abstractmethods__") IsAbstract = Ops.IsTrue(value);
        TypeDict.SetItem(name, value);
        GlobalVersion++;
    }

    public override void DelAttr(PyStr name)
    {
        if (name.Value == "__abstractmethods__") IsAbstract = false;
        if (!TypeDict.Remove(name)) throw Ops.AttributeError($"type object '{Name}' has no attribute '{name.Value}'");
        GlobalVersion++;
    }

    public override string Repr()
    {
        if (ModuleName == null || ModuleName == "builtins") return $"<class '{QualName}'>";
        return $"<class '{ModuleName}.{QualName}'>";
    }

    public override long Hash() => Ops.Id(this) >> 4;

    public static PyObject ObjectInit = null!;

    /// <summary>type(name, bases, dict, **kwds) (CPython's type_new): the most derived metaclass of the bases makes
    /// the class (Lib's enum calls <c>type(name, (IntEnum,), body, boundary=...)</c>); keywords go to it, or to
    /// <c>__init_subclass__</c> when that is type itself.</summary>
    private static PyObject NewClassOfBases(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (args[0] is not PyStr name) throw Ops.TypeError($"type.__new__() argument 1 must be str, not {args[0].Type.Name}");
        if (args[1] is not PyTuple bases) throw Ops.TypeError($"type.__new__() argument 2 must be tuple, not {args[1].Type.Name}");
        if (args[2] is not PyDict ns) throw Ops.TypeError($"type.__new__() argument 3 must be dict, not {args[2].Type.Name}");
        PyType winner = TypeType;
        foreach (var b in bases.Items)
        {
            var m = b.Type;
            if (m.IsSubtypeOf(winner)) winner = m;
            else if (!winner.IsSubtypeOf(m))
                throw Ops.TypeError("metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases");
        }
        if (winner != TypeType) return Ops.Call(winner, args, kwnames);
        PyDict? kwd = null;
        if (kwnames != null)
        {
            kwd = new PyDict();
            for (int i = 0; i < kwnames.Length; i++) kwd.SetItem(kwnames[i], args[3 + i]);
        }
        return Builtins.BuiltinsModule.MakeClass(name.Value, bases, ns, kwd);
    }

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (ReferenceEquals(this, TypeType))
        {
            if (args.Length == 1 && kwnames == null) return args[0].Type;
            int npos = args.Length - (kwnames?.Length ?? 0);
            if (npos == 3) return NewClassOfBases(args, kwnames);
            throw Ops.TypeError("type() takes 1 or 3 arguments");
        }
        if (Meta != null)
        {
            var mc = Meta.LookupHeap(PyStr.S___call__);
            if (mc != null)
            {
                // a class or static method stored as __call__ does not bind (slot_tp_call: no __get__)
                if (mc is PyType) return Ops.Call(mc, args, kwnames);
                if (mc is PyStaticMethod sm) return Ops.Call(sm.Func, args, kwnames);
                return Ops.CallPrepend(mc, this, args, kwnames);
            }
        }
        return CallDefault(args, kwnames);
    }

    public override PyObject? BinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? PyUnionType.Or(this, other) : null;
    public override PyObject? RBinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? PyUnionType.Or(other, this) : null;

    public PyObject CallDefault(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        PyObject obj;
        var userNew = LookupHeap(PyStr.S___new__);
        if (userNew != null)
        {
            var f = userNew is PyStaticMethod sm ? sm.Func : userNew;
            obj = Ops.CallPrepend(f, this, args, kwnames);
            if (!obj.Type.IsSubtypeOf(this)) return obj;
        }
        else
        {
            if (New == null) throw Ops.TypeError($"cannot create '{Name}' instances");
            obj = New(this, args, kwnames);
            if (IsHeap) Vm.Finalization.OnNew(this, obj);
        }
        var init = Lookup(PyStr.S___init__);
        if (init != null && !ReferenceEquals(init, ObjectInit))
        {
            var r = Ops.CallSlot(init, obj, args, kwnames);
            if (r != PyNone.Instance) throw Ops.TypeError($"__init__() should return None, not '{r.Type.Name}'");
        }
        else if ((args.Length > 0 || kwnames != null) && userNew == null && ReferenceEquals(New, ObjectType.New))
            throw Ops.TypeError($"{Name}() takes no arguments");
        return obj;
    }
}
