using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Python.Compiler;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Builtins;

public static class BuiltinsModule
{
    private static volatile bool _typesReady;
    private static bool _typesInitializing;
    private static readonly object TypesGate = new();
    public static PyType EnumerateType = null!, ZipType = null!, MapType = null!, FilterType = null!, ReversedType = null!, IteratorType = null!;

    private static readonly ArgParser ImportArgs = new("__import__", "name, globals=None, locals=None, fromlist=(), level=0");

    private static PyType T(string name, PyType? b, NewFn? nf) => new(name, b ?? PyType.ObjectType, nf);

    /// <summary>object.__new__ of a class whose <c>__abstractmethods__</c> is not empty: CPython's message, the
    /// names sorted.</summary>
    private static PyException AbstractInstantiation(PyType cls)
    {
        var names = Ops.ToArray(cls.TypeDict.GetOrNull("__abstractmethods__") ?? new PyTuple(Array.Empty<PyObject>()));
        var sorted = new PyList(names);
        Ops.CallMethod(sorted, "sort");
        var parts = new string[sorted.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = Ops.Str(sorted.Items[i]);
        return Ops.TypeError($"Can't instantiate abstract class {cls.Name} with abstract method{(parts.Length > 1 ? "s" : "")} {string.Join(", ", parts)}");
    }

    /// <summary>Create the builtin type objects (once per process, shared by every interpreter; interpreters made on
    /// several threads at once wait for the first).</summary>
    public static void InitTypes()
    {
        if (_typesReady) return;
        lock (TypesGate)
        {
            if (_typesReady || _typesInitializing) return; // made, or being made by this very thread (re-entry)
            _typesInitializing = true;
            MakeTypes();
            _typesReady = true;
        }
    }

    private static void MakeTypes()
    {
        PyType.ObjectType = new PyType("object", (PyType?)null, (cls, a, k) =>
            cls == PyType.ObjectType ? new PyBareObject() : cls.IsAbstract ? throw AbstractInstantiation(cls) : new PyInstance(cls));
        PyType.TypeType = new PyType("type", PyType.ObjectType, (cls, a, k) =>
        {
            if (a.Length == 1 && cls == PyType.TypeType) return a[0].Type;
            int n = Ops.PosCount(a, k);
            if (n != 3) throw Ops.TypeError("type() takes 1 or 3 arguments");
            PyDict? kwd = null;
            if (k != null) { kwd = new PyDict(); for (int i = 0; i < k.Length; i++) kwd.SetItem(k[i], a[n + i]); }
            return MakeClass(((PyStr)a[0]).Value, a[1], (PyDict)a[2], kwd, cls == PyType.TypeType ? null : cls);
        });
        PyInt.TypeObj = T("int", null, (cls, a, k) => cls == PyInt.TypeObj ? TypeMethods.NewInt(a, k) : new PyIntSub(cls, (PyInt)TypeMethods.NewInt(a, k)));
        PyBool.TypeObj = T("bool", PyInt.TypeObj, (cls, a, k) =>
        {
            if (k is { Length: > 0 }) throw Ops.TypeError("bool() takes no keyword arguments");
            if (a.Length > 1) throw Ops.TypeError($"bool expected at most 1 argument, got {a.Length}");
            return PyBool.Of(a.Length > 0 && Ops.IsTrue(a[0]));
        });
        PyFloat.TypeObj = T("float", null, TypeMethods.NewFloat);
        PyComplex.TypeObj = T("complex", null, TypeMethods.NewComplex);
        PyStr.TypeObj = T("str", null, (cls, a, k) => cls == PyStr.TypeObj ? TypeMethods.NewStr(a, k) : new PyStrSub(cls, ((PyStr)TypeMethods.NewStr(a, k)).Value));
        PyBytes.TypeObj = T("bytes", null, TypeMethods.NewBytes);
        // bytearray.__init__ fills it (TypeMethods.ByteArrayInit): a subclass's own __init__ decides what it holds
        PyByteArray.TypeObj = T("bytearray", null, (cls, a, k) => cls == PyByteArray.TypeObj ? new PyByteArray(Array.Empty<byte>()) : new PyByteArray(Array.Empty<byte>(), cls));
        PyList.TypeObj = T("list", null, (cls, a, k) => new PyList(cls));
        PyTuple.TypeObj = T("tuple", null, (cls, a, k) =>
        {
            // keywords are refused unless a subclass's own __init__ takes them (CPython's tuple_new)
            if (k is { Length: > 0 } && (cls == PyTuple.TypeObj || ReferenceEquals(cls.Lookup(PyStr.S___init__), PyType.ObjectInit)))
                throw Ops.TypeError("tuple() takes no keyword arguments");
            int n = Ops.PosCount(a, k);
            if (n > 1) throw Ops.TypeError($"tuple expected at most 1 argument, got {n}");
            if (n == 1 && cls == PyTuple.TypeObj && a[0] is PyTuple { IsExact: true } same) return same; // tuple(t) is t
            var items = n == 0 ? Array.Empty<PyObject>() : Ops.ToArray(a[0]);
            return cls == PyTuple.TypeObj ? (items.Length == 0 ? PyTuple.Empty : new PyTuple(items)) : new PyTuple((PyObject[])items.Clone(), cls);
        });
        PyDict.TypeObj = T("dict", null, (cls, a, k) => new PyDict(cls));
        PySet.SetType = T("set", null, TypeMethods.NewSet);                  // SetProtocol.cs
        PySet.FrozenSetType = T("frozenset", null, TypeMethods.NewFrozenSet);
        PyRange.TypeObj = T("range", null, (cls, a, k) => TypeMethods.NewRange(a));
        PySlice.TypeObj = T("slice", null, (cls, a, k) => a.Length switch
        {
            1 => new PySlice(PyNone.Instance, a[0], PyNone.Instance),
            2 => new PySlice(a[0], a[1], PyNone.Instance),
            3 => new PySlice(a[0], a[1], a[2]),
            _ => throw Ops.TypeError("slice expected at least 1 argument, got 0"),
        });
        PyNone.TypeObj = T("NoneType", null, (cls, a, k) => PyNone.Instance);
        PyNotImplementedType.TypeObj = T("NotImplementedType", null, null);
        PyEllipsis.TypeObj = T("ellipsis", null, null);
        PyFunction.TypeObj = T("function", null, null);
        PyBuiltinFunction.TypeObj = T("builtin_function_or_method", null, null);
        // f.__call__(...) is f(...) (CPython's tp_call slot wrapper)
        PyBuiltinFunction.TypeObj.AddMethod("__call__", (a, k) => a[0].Call(a.Slice(1), k));
        PyBoundMethod.TypeObj = T("method", null, (cls, a, k) =>
        {
            // types.MethodType(function, instance) (CPython's method_new)
            if (k is { Length: > 0 }) throw Ops.TypeError("method() takes no keyword arguments");
            if (a.Length != 2) throw Ops.TypeError($"method expected 2 arguments, got {a.Length}");
            if (!IsCallable(a[0])) throw Ops.TypeError("first argument must be callable");
            if (a[1] is PyNone) throw Ops.TypeError("instance must not be None");
            return new PyBoundMethod(a[1], a[0]);
        });
        // pickle saves these by name (CPython's ellipsis_reduce, notimplemented_reduce; meth_reduce is in TypeMethodsInit)
        PyEllipsis.TypeObj.AddMethod("__reduce__", (a, k) => new PyStr("Ellipsis"));
        PyNotImplementedType.TypeObj.AddMethod("__reduce__", (a, k) => new PyStr("NotImplemented"));
        PyStaticMethod.TypeObj = T("staticmethod", null, (cls, a, k) => new PyStaticMethod(a[0]));
        PyClassMethod.TypeObj = T("classmethod", null, (cls, a, k) => new PyClassMethod(a[0]));
        PyProperty.TypeObj = T("property", null, (cls, a, k) => new PyProperty(Opt(a, k, 0, "fget"), Opt(a, k, 1, "fset"), Opt(a, k, 2, "fdel"), Opt(a, k, 3, "doc")));
        PyModule.TypeObj = T("module", null, (cls, a, k) => new PyModule(((PyStr)a[0]).Value));
        PyGenerator.TypeObj = T("generator", null, null);
        PyGenerator.CoroutineType = T("coroutine", null, null);
        PyGenerator.AsyncGeneratorType = T("async_generator", null, null);
        PyCoroutineWrapper.TypeObj = T("coroutine_wrapper", null, null);
        PyAsyncGenWrappedValue.TypeObj = T("async_generator_wrapped_value", null, null);
        PyAsyncGenASend.TypeObj = T("async_generator_asend", null, null);
        PyAsyncGenAThrow.TypeObj = T("async_generator_athrow", null, null);
        PyANextAwaitable.TypeObj = T("anext_awaitable", null, null);
        PyCell.TypeObj = T("cell", null, null);
        PyCodeWrapper.TypeObj = T("code", null, null);
        PyFrameObject.TypeObj = T("frame", null, null);
        PyTracebackObject.TypeObj = T("traceback", null, PyTracebackObject.New);
        SlotLayout.MemberDescriptorType = T("member_descriptor", null, null);
        SlotLayout.GetSetDescriptorType = T("getset_descriptor", null, null);
        PyMemoryView.TypeObj = T("memoryview", null, PyMemoryView.New);
        PyStrIterator.TypeObj = T("str_iterator", null, null);
        PySeqIterator.TypeObj = T("tuple_iterator", null, null);
        PyListIterator.TypeObj = T("list_iterator", null, null);
        PyListIterator.ReverseTypeObj = T("list_reverseiterator", null, null);
        PyRangeIterator.TypeObj = T("range_iterator", null, null);
        PyLongRangeIterator.TypeObj = T("longrange_iterator", null, null);
        PyDictIterator.TypeObj = T("dict_keyiterator", null, null);
        PySetIterator.TypeObj = T("set_iterator", null, null);
        PySeqGetItemIterator.TypeObj = T("iterator", null, null);
        PyDictView.KeysType = T("dict_keys", null, null);
        PyDictView.ValuesType = T("dict_values", null, null);
        PyDictView.ItemsType = T("dict_items", null, null);
        PyMappingProxy.TypeObj = T("mappingproxy", null, PyMappingProxy.New);
        PyGenericAlias.InitType();
        PyUnionType.InitType();
        PySuper.TypeObj = T("super", null, (cls, a, k) =>
        {
            if (a.Length != 2) throw Ops.RuntimeError("super(): no arguments");
            if (a[0] is not PyType st) throw Ops.TypeError("super() argument 1 must be a type");
            return new PySuper(st, a[1]);
        });
        EnumerateType = T("enumerate", null, (cls, a, k) =>
        {
            var it = Ops.GetIter(Ops.Arg(a, k, 0, "iterable") ?? throw Ops.TypeError("enumerate() missing required argument 'iterable'"));
            var st = Ops.Arg(a, k, 1, "start");
            return new PyIterWrapper(EnumerateType, Enumerate(it, st == null ? PyInt.Zero : (PyInt)Ops.Index(st)));
        });
        ZipType = T("zip", null, PyZip.New);
        MapType = T("map", null, PyMap.New);
        FilterType = T("filter", null, PyFilter.New);
        BuiltinIterator.InitTypes(MapType, FilterType, ZipType);
        ReversedType = T("reversed", null, (cls, a, k) => Reversed(a[0]));
        IteratorType = T("iterator", null, null);
        PyBaseException.Init();
        PyGenerator.InitType(PyGenerator.TypeObj);
        PyGenerator.InitCoroutineType(PyGenerator.CoroutineType);
        Coroutines.InitAsyncGeneratorType(PyGenerator.AsyncGeneratorType);
        PyCoroutineWrapper.InitType(PyCoroutineWrapper.TypeObj);
        PyAsyncGenASend.InitType(PyAsyncGenASend.TypeObj);
        PyAsyncGenAThrow.InitType(PyAsyncGenAThrow.TypeObj);
        PyANextAwaitable.InitType(PyANextAwaitable.TypeObj);
        PyFrameObject.InitType(PyFrameObject.TypeObj);
        PyCodeWrapper.InitType(PyCodeWrapper.TypeObj);
        SlotLayout.AddDescriptorMethods(SlotLayout.MemberDescriptorType);
        SlotLayout.AddDescriptorMethods(SlotLayout.GetSetDescriptorType);
        PyFunction.AddAttributeDescriptors(PyFunction.TypeObj);
        PyMemoryView.InitType(PyMemoryView.TypeObj);
        PyMappingProxy.InitType(PyMappingProxy.TypeObj);
        if (PyProperty.TypeObj.TypeDict.GetOrNull(PyStr.Intern("__get__")) == null) SlotLayout.AddDescriptorMethods(PyProperty.TypeObj);
        TypeMethods.Init();
    }

    private static PyObject? Opt(ReadOnlySpan<PyObject> a, PyStr[]? k, int i, string name)
    {
        var v = Ops.Arg(a, k, i, name);
        return v == PyNone.Instance ? null : v;
    }

    private static IEnumerable<PyObject> Enumerate(PyObject it, PyInt start)
    {
        if (!start.IsBig)
        {
            long i = start.V;
            PyObject? v;
            while ((v = Ops.Next(it)) != null) yield return new PyTuple(new[] { PyInt.Get(i++), v });
        }
        else
        {
            var i = start.Big;
            PyObject? v;
            while ((v = Ops.Next(it)) != null) { yield return new PyTuple(new[] { PyInt.Get(i), v }); i += 1; }
        }
    }

    private static PyObject Reversed(PyObject o)
    {
        if (o.Type.IsHeap)
        {
            var r = o.Type.LookupHeap(PyStr.S___reversed__);
            if (r != null) return Ops.CallSlot(r, o);
        }
        if (o is PyList l) return new PyListIterator(l, true);
        if (o is Modules.PyWeakProxy || o is PyMappingProxy) return Ops.CallArgs(o.Type.Lookup(PyStr.S___reversed__)!, o); // the proxy's own __reversed__ (a weak proxy's, mappingproxy's)
        if (o is PyRange rg)
        {
            if (rg.Big is { } b) return new PyLongRangeIterator(b.Start + (b.Length - 1) * b.Step, -b.Step, b.Length);
            long n = rg.Length;
            return new PyRangeIterator(rg.Start + (n - 1) * rg.Step, -rg.Step, n);
        }
        if (o is PyDict d) { var keys = d.KeyList(); keys.Reverse(); return new PySeqIterator(keys.ToArray(), keys.Count); }
        if (o is PyDictView dv) { var items = Ops.ToArray(dv); Array.Reverse(items); return new PySeqIterator(items, items.Length); }
        if (o is PySet) throw Ops.TypeError($"'{o.Type.Name}' object is not reversible");
        if (o.Type.Lookup(PyStr.S___getitem__) == null && o is not PyTuple && o is not PyStr && o is not PyBytes)
            throw Ops.TypeError($"'{o.Type.Name}' object is not reversible");
        int len = Ops.Len(o);
        return new PyReversedIterator(o, len);
    }

    public static string Ascii(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < 128) sb.Append(c);
            else if (c < 256) sb.Append("\\x").Append(((int)c).ToString("x2"));
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                sb.Append("\\U").Append(char.ConvertToUtf32(c, s[++i]).ToString("x8")); // one code point (str is UTF-16)
            else sb.Append("\\u").Append(((int)c).ToString("x4"));
        }
        return sb.ToString();
    }

    // ---------------- class creation ----------------
    public static PyObject BuildClass(PyFunction body, string name, PyTuple bases, PyDict kwargs)
    {
        var origBases = bases;
        bases = UpdateBases(bases);
        PyObject? meta = kwargs.Pop(PyStr.Intern("metaclass"));
        bool isClass;
        if (meta == null)
        {
            meta = bases.Items.Length == 0 ? PyType.TypeType : bases.Items[0].Type;
            isClass = true;
        }
        else isClass = meta is PyType;
        if (isClass) meta = CalculateMetaclass((PyType)meta, bases);
        PyObject nsObj;
        var prep = Ops.GetAttrOrNull(meta, PyStr.Intern("__prepare__"));
        if (prep == null || prep is PyBuiltinFunction) nsObj = new PyDict();
        else nsObj = Ops.CallWithKw(prep, new PyObject[] { new PyStr(name), bases }, kwargs.Count > 0 ? kwargs : null);
        if (nsObj is not PyDict ns)
        {
            string who = meta is PyType mt ? mt.Name : "<metaclass>";
            if (!Ops.HasAttr(nsObj, "__getitem__"))
                throw Ops.TypeError($"{who}.__prepare__() must return a mapping, not {nsObj.Type.Name}");
            throw Ops.TypeError($"{who}.__prepare__() returned a {nsObj.Type.Name}: only dict namespaces are supported");
        }
        var f = new Frame(body.Code, body.Globals, body.Closure, body.Builtins) { Locals = ns };
        var cell = Interpreter.Execute(f);
        if (!ReferenceEquals(bases, origBases)) Ops.SetItem(ns, PyStr.Intern("__orig_bases__"), origBases);
        PyObject cls;
        if (meta != PyType.TypeType)
        {
            var args = new PyObject[] { new PyStr(name), bases, ns };
            cls = Ops.CallWithKw(meta, args, kwargs.Count > 0 ? kwargs : null);
        }
        else cls = MakeClass(name, bases, ns, kwargs, null);
        if (cell is PyCell c)
        {
            if (c.Value is PyObject already && !ReferenceEquals(already, cls))
                throw Ops.TypeError($"__class__ set to {Ops.Repr(already)} defining '{name}' as {Ops.Repr(cls)}");
            c.Value = cls;
        }
        return cls;
    }

    /// <summary>PEP 560: bases that are not classes but have __mro_entries__ are replaced by what it returns
    /// (CPython's update_bases); the same tuple when none changes.</summary>
    private static PyTuple UpdateBases(PyTuple bases)
    {
        List<PyObject>? fixedBases = null;
        var items = bases.Items;
        for (int i = 0; i < items.Length; i++)
        {
            var b = items[i];
            PyObject? meth = b is PyType ? null : b is PyGenericAlias ? null : Ops.GetAttrOrNull(b, PyStr.Intern("__mro_entries__"));
            if (b is PyGenericAlias ga)
            {
                fixedBases ??= new List<PyObject>(items.AsSpan(0, i).ToArray());
                fixedBases.Add(ga.Origin);
                continue;
            }
            if (meth == null) { fixedBases?.Add(b); continue; }
            var entries = Ops.CallArgs(meth, bases);
            if (entries is not PyTuple et) throw Ops.TypeError("__mro_entries__ must return a tuple");
            fixedBases ??= new List<PyObject>(items.AsSpan(0, i).ToArray());
            fixedBases.AddRange(et.Items);
        }
        return fixedBases == null ? bases : new PyTuple(fixedBases.ToArray());
    }

    /// <summary>The most derived metaclass among <paramref name="meta"/> and the bases' types (_PyType_CalculateMetaclass).</summary>
    private static PyType CalculateMetaclass(PyType meta, PyTuple bases)
    {
        var winner = meta;
        foreach (var b in bases.Items)
        {
            var t = b.Type;
            if (winner.IsSubtypeOf(t)) continue;
            if (t.IsSubtypeOf(winner)) { winner = t; continue; }
            throw Ops.TypeError("metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases");
        }
        return winner;
    }

    public static PyType MakeClass(string name, PyObject basesObj, PyDict ns, PyDict? kwargs, PyType? meta = null)
    {
        var bl = new List<PyType>();
        foreach (var b in Ops.ToArray(basesObj))
        {
            if (b is not PyType bt) throw Ops.TypeError("bases must be types");
            if (bt == PyBool.TypeObj || bt == PyRange.TypeObj || bt == PySlice.TypeObj || bt == PyFunction.TypeObj || bt == PyGenerator.TypeObj || bt == PyNone.TypeObj || bt == PyMappingProxy.TypeObj)
                throw Ops.TypeError($"type '{bt.Name}' is not an acceptable base type");
            bl.Add(bt);
        }
        if (bl.Count == 0) bl.Add(PyType.ObjectType);
        for (int i = 0; i < bl.Count; i++)
            for (int j = i + 1; j < bl.Count; j++)
                if (bl[i] == bl[j]) throw Ops.TypeError($"duplicate base class {bl[i].Name}");
        var t = new PyType(name, bl.ToArray(), true);
        t.InstanceKeys = new SharedDictKeys(); // a class statement's type belongs to one interpreter (its lock guards the keys)
        if (meta != null && meta != PyType.TypeType) t.Meta = meta;
        else foreach (var b in bl) if (b.Meta != null) { t.Meta = b.Meta; break; }
        foreach (var kv in ns.Items())
        {
            var v = kv.Value;
            var key = (PyStr)kv.Key;
            if ((key.Value == "__new__") && v is PyFunction) v = new PyStaticMethod(v);
            if ((key.Value == "__init_subclass__" || key.Value == "__class_getitem__") && v is PyFunction) v = new PyClassMethod(v);
            t.TypeDict.SetItem(PyStr.Intern(key.Value), v);
        }
        if (ns.GetOrNull(PyStr.S___slots__) is PyObject slots) SlotLayout.Apply(t, bl, slots, ns);
        else SlotLayout.Inherit(t, bl);
        SlotLayout.AddDictAndWeakrefDescriptors(t, ns.GetOrNull(PyStr.S___slots__));
        if (ns.GetOrNull(PyStr.S___module__) is PyStr mod) t.ModuleName = mod.Value;
        if (ns.GetOrNull(PyStr.S___qualname__) is PyStr qn) { t.QualNameOverride = qn.Value; t.TypeDict.Remove(PyStr.S___qualname__); }
        if (ns.GetOrNull(PyStr.S___eq__) != null && ns.GetOrNull(PyStr.S___hash__) == null) t.TypeDict.SetItem(PyStr.S___hash__, PyNone.Instance);
        if (t.TypeDict.GetOrNull(PyStr.S___doc__) == null) t.TypeDict.SetItem(PyStr.S___doc__, PyNone.Instance);
        PyType.GlobalVersion++;
        foreach (var kv in ns.Items())
        {
            var sn = kv.Value.Type.IsHeap ? kv.Value.Type.Lookup(PyStr.S___set_name__) : null;
            if (sn != null) Ops.CallArgs(sn, kv.Value, t, kv.Key);
        }
        // __init_subclass__ of the parent
        if (t.Mro.Length > 1)
        {
            PyObject? isc = null;
            for (int i = 1; i < t.Mro.Length && isc == null; i++) isc = t.Mro[i].TypeDict.GetOrNull(PyStr.S___init_subclass__);
            if (isc is PyClassMethod cm)
            {
                var kw = kwargs ?? new PyDict();
                Ops.CallWithKw(cm.Func, new PyObject[] { t }, kw);
            }
            else if (kwargs != null && kwargs.Count > 0)
                throw Ops.TypeError($"{name}.__init_subclass__() takes no keyword arguments");
        }
        return t;
    }

    /// <summary><c>__new__</c> in the dict of each built-in type that has its own constructor (CPython's tp_new
    /// wrapper, <c>int.__new__(cls, x)</c>): Lib's enum tells a data type by <c>'__new__' in T.__dict__</c>, and
    /// <c>int.__new__</c> must not be <c>object.__new__</c>.</summary>
    private static void AddNewWrappers()
    {
        foreach (var t in new[] { PyInt.TypeObj, PyBool.TypeObj, PyFloat.TypeObj, PyComplex.TypeObj, PyStr.TypeObj, PyBytes.TypeObj,
                     PyByteArray.TypeObj, PyList.TypeObj, PyTuple.TypeObj, PyDict.TypeObj, PySet.SetType, PySet.FrozenSetType,
                     PyRange.TypeObj, PySlice.TypeObj, PyProperty.TypeObj, PyStaticMethod.TypeObj, PyClassMethod.TypeObj })
        {
            if (t.New == null || t.TypeDict.GetOrNull(PyStr.S___new__) != null) continue;
            var owner = t;
            t.SetMember("__new__", new PyBuiltinFunction("__new__", (a, k) =>
            {
                if (a.Length == 0) throw Ops.TypeError($"{owner.Name}.__new__(): not enough arguments");
                if (a[0] is not PyType cls) throw Ops.TypeError($"{owner.Name}.__new__(X): X is not a type object ({a[0].Type.Name})");
                if (!cls.IsSubtypeOf(owner)) throw Ops.TypeError($"{owner.Name}.__new__({cls.Name}): {cls.Name} is not a subtype of {owner.Name}");
                TypeMethods.CheckNewIsSafe(owner, cls);
                var made = cls.New!(cls, a.Slice(1), k);
                Vm.Finalization.OnNew(cls, made);
                return made;
            }) { Self = owner });
        }
    }

    // ---------------- the builtins module ----------------
    public static PyModule Create()
    {
        var m = new PyModule("builtins");
        void Add(string n, PyObject v) => m.Add(n, v);
        void Fn(string n, NativeFn f) => m.AddFn(n, f);
        Add("object", PyType.ObjectType); Add("type", PyType.TypeType); Add("int", PyInt.TypeObj); Add("bool", PyBool.TypeObj);
        Add("float", PyFloat.TypeObj); Add("complex", PyComplex.TypeObj); Add("str", PyStr.TypeObj); Add("bytes", PyBytes.TypeObj);
        Add("bytearray", PyByteArray.TypeObj); Add("memoryview", PyMemoryView.TypeObj); Add("list", PyList.TypeObj); Add("tuple", PyTuple.TypeObj); Add("dict", PyDict.TypeObj);
        Add("set", PySet.SetType); Add("frozenset", PySet.FrozenSetType); Add("range", PyRange.TypeObj); Add("slice", PySlice.TypeObj);
        Add("staticmethod", PyStaticMethod.TypeObj); Add("classmethod", PyClassMethod.TypeObj); Add("property", PyProperty.TypeObj);
        Add("super", PySuper.TypeObj); Add("enumerate", EnumerateType); Add("zip", ZipType); Add("map", MapType); Add("filter", FilterType);
        Add("reversed", ReversedType);
        Add("None", PyNone.Instance); Add("True", PyBool.True); Add("False", PyBool.False);
        Add("NotImplemented", PyNotImplementedType.Instance); Add("Ellipsis", PyEllipsis.Instance);
        Add("__debug__", PyBool.True);
        foreach (var kv in PyBaseException.All) Add(kv.Key, kv.Value);
        AddNewWrappers();

        Fn("print", Print);
        Fn("len", (a, k) => { Ops.ArgCount(a, 1, 1, "len"); return PyInt.Get(Ops.LenLong(a[0])); });
        Fn("repr", (a, k) => { Ops.ArgCount(a, 1, 1, "repr"); return PyStr.Of(Ops.Repr(a[0])); });
        Fn("ascii", (a, k) => PyStr.Of(Ascii(Ops.Repr(a[0]))));
        Fn("abs", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "abs");
            var x = a[0];
            if (x.Type.LookupHeap(PyStr.S___abs__) is PyObject userAbs) return Ops.CallSlot(userAbs, x);
            if (x is PyInt i) return i.Sign < 0 ? Ops.UnaryOp(i, UnOp.Neg) : (x is PyBool || x is PyIntSub ? PyInt.Get(i.Big) : x);
            if (x is PyFloat f) return new PyFloat(Math.Abs(f.V));
            if (x is PyComplex c) return new PyFloat(PyComplex.Abs(c.V));
            return Ops.CallSpecial(x, PyStr.S___abs__) ?? throw Ops.TypeError($"bad operand type for abs(): '{x.Type.Name}'");
        });
        Fn("hash", (a, k) => PyInt.Get(Ops.Hash(a[0])));
        Fn("id", (a, k) => PyInt.Get(Ops.Id(a[0])));
        Fn("callable", (a, k) => PyBool.Of(IsCallable(a[0])));
        Fn("isinstance", (a, k) => { Ops.ArgCount(a, 2, 2, "isinstance"); return PyBool.Of(Ops.IsInstance(a[0], a[1])); });
        Fn("issubclass", (a, k) => { Ops.ArgCount(a, 2, 2, "issubclass"); return PyBool.Of(Ops.IsSubclass(a[0], a[1])); });
        // an AttributeError raised on the way (a module's __getattr__, a property) means "no such attribute", as CPython's
        Fn("hasattr", (a, k) =>
        {
            var name = AttrName(a[1], "hasattr");
            try { return PyBool.Of(Ops.GetAttrOrNull(a[0], name) != null); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return PyBool.False; }
        });
        Fn("getattr", (a, k) =>
        {
            Ops.ArgCount(a, 2, 3, "getattr");
            var name = AttrName(a[1], "getattr");
            if (a.Length == 3)
            {
                try { return Ops.GetAttrOrNull(a[0], name) ?? a[2]; }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return a[2]; }
            }
            return Ops.GetAttr(a[0], name);
        });
        Fn("setattr", (a, k) => { Ops.ArgCount(a, 3, 3, "setattr"); Ops.SetAttr(a[0], AttrName(a[1], "setattr"), a[2]); return PyNone.Instance; });
        Fn("delattr", (a, k) => { Ops.DelAttr(a[0], AttrName(a[1], "delattr")); return PyNone.Instance; });
        Fn("iter", (a, k) =>
        {
            Ops.ArgCount(a, 1, 2, "iter");
            if (a.Length == 2) return new PyIterWrapper(IteratorType, CallableIter(a[0], a[1]));
            return Ops.GetIter(a[0]);
        });
        Fn("aiter", (a, k) => { Ops.ArgCount(a, 1, 1, "aiter"); return Coroutines.AIter(a[0]); });
        Fn("anext", (a, k) => { Ops.ArgCount(a, 1, 2, "anext"); return Coroutines.ANext(a[0], a.Length > 1 ? a[1] : null); });
        Fn("next", (a, k) =>
        {
            Ops.ArgCount(a, 1, 2, "next");
            if (!Ops.IsIterator(a[0]) && a[0] is not PyIterWrapper && a[0] is not PyGenerator { Kind: GenKind.Generator }) throw Ops.TypeError($"'{a[0].Type.Name}' object is not an iterator");
            PyObject? v;
            if (a[0] is PyGenerator { Kind: GenKind.Generator } gen)
            {
                var r = gen.SendInternal(PyNone.Instance, out var res);
                if (r != null) return r;
                if (a.Length == 2) return a[1];
                throw Ops.StopIteration(res == null || res == PyNone.Instance ? null : res);
            }
            if (a[0].Type.IsHeap)
            {
                var nf = a[0].Type.Lookup(PyStr.S___next__) ?? throw Ops.TypeError($"'{a[0].Type.Name}' object is not an iterator");
                if (a.Length == 1) return Ops.CallArgs(nf, a[0]);
                v = Ops.Next(a[0]);
            }
            else v = a[0].Next();
            if (v != null) return v;
            if (a.Length == 2) return a[1];
            throw Ops.StopIteration();
        });
        Fn("sorted", (a, k) =>
        {
            if (Ops.PosCount(a, k) != 1) throw Ops.TypeError($"sorted expected 1 argument, got {Ops.PosCount(a, k)}");
            var l = new PyList(Ops.ToArray(a[0]).Clone() is PyObject[] arr ? arr : Array.Empty<PyObject>());
            var key = Ops.Arg(a, k, 99, "key");
            var rev = Ops.Arg(a, k, 99, "reverse");
            l.Sort(key, rev != null && Ops.IsTrue(rev));
            return l;
        });
        Fn("min", (a, k) => MinMax(a, k, true));
        Fn("max", (a, k) => MinMax(a, k, false));
        Fn("sum", (a, k) =>
        {
            var it = Ops.GetIter(a[0]);
            PyObject acc = Ops.Arg(a, k, 1, "start") ?? PyInt.Zero;
            if (acc is PyStr) throw Ops.TypeError("sum() can't sum strings [use ''.join(seq) instead]");
            PyObject? v;
            while ((v = Ops.Next(it)) != null)
            {
                if (acc is PyInt ai && v is PyInt vi) acc = PyInt.IntOp(BinOp.Add, ai, vi);
                else if (acc is PyFloat af && v is PyFloat vf) acc = new PyFloat(af.V + vf.V);
                else acc = Ops.BinaryOp(acc, v, BinOp.Add);
            }
            return acc;
        });
        Fn("any", (a, k) => { var it = Ops.GetIter(a[0]); PyObject? v; while ((v = Ops.Next(it)) != null) if (Ops.IsTrue(v)) return PyBool.True; return PyBool.False; });
        Fn("all", (a, k) => { var it = Ops.GetIter(a[0]); PyObject? v; while ((v = Ops.Next(it)) != null) if (!Ops.IsTrue(v)) return PyBool.False; return PyBool.True; });
        Fn("divmod", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "divmod");
            if (a[0] is PyFloat || a[1] is PyFloat)
            {
                var q = Ops.BinaryOp(a[0], a[1], BinOp.FloorDiv);
                return new PyTuple(new[] { q, Ops.BinaryOp(a[0], a[1], BinOp.Mod) });
            }
            if (a[0].Type.IsHeap || a[1].Type.IsHeap)
            {
                // CPython's binary_op1 for nb_divmod: the right operand's __rdivmod__ first when its type is a proper
                // subclass of the left's, else __divmod__ then __rdivmod__; NotImplemented passes to the other side.
                PyObject? forward = a[0].Type.LookupHeap(PyStr.Intern("__divmod__"));
                PyObject? reflected = a[1].Type != a[0].Type ? a[1].Type.LookupHeap(PyStr.Intern("__rdivmod__")) : null;
                bool reflectedFirst = reflected is not null && a[1].Type.IsSubtypeOf(a[0].Type);
                if (reflectedFirst && Ops.CallArgs(reflected!, a[1], a[0]) is var r0 && r0 != PyNotImplementedType.Instance) return r0;
                if (forward is not null && Ops.CallArgs(forward, a[0], a[1]) is var r1 && r1 != PyNotImplementedType.Instance) return r1;
                if (!reflectedFirst && reflected is not null && Ops.CallArgs(reflected, a[1], a[0]) is var r2 && r2 != PyNotImplementedType.Instance) return r2;
                // Neither side answered: only numbers with the built-in divmod (int, float and their subclasses) have one.
                if (a[0] is not (PyInt or PyFloat) || a[1] is not (PyInt or PyFloat))
                    throw Ops.TypeError($"unsupported operand type(s) for divmod(): '{a[0].Type.Name}' and '{a[1].Type.Name}'");
            }
            return new PyTuple(new[] { Ops.BinaryOp(a[0], a[1], BinOp.FloorDiv), Ops.BinaryOp(a[0], a[1], BinOp.Mod) });
        });
        Fn("pow", (a, k) =>
        {
            Ops.ArgCount(a, 2, 3, "pow");
            if (a.Length == 3 && a[2] != PyNone.Instance)
            {
                if (a[0] is not PyInt pa || a[1] is not PyInt pe || a[2] is not PyInt pm)
                {
                    // complex_pow refuses a modulus; float_pow (tried first for a float) refuses the third argument
                    if (a[0] is PyComplex || a[1] is PyComplex) throw Ops.ValueError("complex modulo");
                    if (a[0] is PyFloat || a[1] is PyFloat || a[2] is PyFloat || a[2] is PyComplex)
                        throw Ops.TypeError("pow() 3rd argument not allowed unless all arguments are integers");
                    var r3 = Ops.CallSpecial(a[0], PyStr.Intern("__pow__"), a[1], a[2]);
                    if (r3 != null && r3 != PyNotImplementedType.Instance) return r3;
                    throw Ops.TypeError($"unsupported operand type(s) for ** or pow(): '{a[0].Type.Name}', '{a[1].Type.Name}', '{a[2].Type.Name}'");
                }
                var bs = pa.Big; var e = pe.Big; var md = pm.Big;
                if (md.IsZero) throw Ops.ValueError("pow() 3rd argument cannot be 0");
                // CPython's long_pow: work modulo |m|, then give the result the sign of m
                bool negative = md.Sign < 0;
                if (negative) md = -md;
                if (md.IsOne) return PyInt.Zero;
                if (e.Sign < 0)
                {
                    bs = TypeMethods.ModInverse(bs, md);
                    e = -e;
                }
                var r = System.Numerics.BigInteger.ModPow(bs, e, md);
                if (r.Sign < 0) r += md;
                if (negative && !r.IsZero) r -= md;
                return PyInt.Get(r);
            }
            return Ops.BinaryOp(a[0], a[1], BinOp.Pow);
        });
        Fn("round", (a, k) => TypeMethods.Round(a, k));
        Fn("chr", (a, k) =>
        {
            long c = Ops.IndexValue(a[0]);
            if (c < 0 || c > 0x10FFFF) throw Ops.ValueError("chr() arg not in range(0x110000)");
            return c < 0x10000 ? PyStr.Char((char)c) : PyStr.Of(char.ConvertFromUtf32((int)c));
        });
        Fn("ord", (a, k) =>
        {
            if (a[0] is PyStr s)
            {
                if (s.Value.Length == 1) return PyInt.Get(s.Value[0]);
                if (s.Value.Length == 2 && char.IsSurrogatePair(s.Value[0], s.Value[1])) return PyInt.Get(char.ConvertToUtf32(s.Value[0], s.Value[1]));
                throw Ops.TypeError($"ord() expected a character, but string of length {s.Value.Length} found");
            }
            if (a[0] is PyBytes b && b.Span.Length == 1) return PyInt.Get(b.Span[0]);
            throw Ops.TypeError($"ord() expected string of length 1, but {a[0].Type.Name} found");
        });
        Fn("hex", (a, k) => PyStr.Of(TypeMethods.IntToBase((PyInt)Ops.Index(a[0]), 16, "0x")));
        Fn("oct", (a, k) => PyStr.Of(TypeMethods.IntToBase((PyInt)Ops.Index(a[0]), 8, "0o")));
        Fn("bin", (a, k) => PyStr.Of(TypeMethods.IntToBase((PyInt)Ops.Index(a[0]), 2, "0b")));
        Fn("format", (a, k) => PyStr.Of(Formatting.Format(a[0], a.Length > 1 ? ((PyStr)a[1]).Value : "")));
        Fn("input", (a, k) =>
        {
            var sys = ThreadState.Current.Interp.Sys;
            if (a.Length > 0) { sys.WriteStdout(Ops.Str(a[0])); sys.FlushStdout(); }
            var line = InterruptibleStdin.ReadLine(ThreadState.Current.Interp);
            if (line == null) throw Ops.Exc(PyBaseException.EOFErrorType, "EOF when reading a line");
            return PyStr.Of(line);
        });
        Fn("open", Modules.Io.IoModule.Open); // CPython: builtins.open is io.open
        Fn("vars", (a, k) =>
        {
            if (a.Length == 0) return Locals();
            if (a[0] is PyType vt) return new PyMappingProxy(vt.TypeDict);
            var d = a[0] is PyModule pm ? pm.ModDict : a[0].Dict;
            return (PyObject?)d ?? throw Ops.TypeError("vars() argument must have __dict__ attribute");
        });
        Fn("dir", (a, k) => Dir(a.Length == 0 ? null : a[0]));
        Fn("globals", (a, k) => ThreadState.Current.CurrentFrame?.Globals ?? new PyDict());
        Fn("locals", (a, k) => Locals());
        Fn("exec", (a, k) => ExecEval(a, k, false));
        Fn("eval", (a, k) => ExecEval(a, k, true));
        // source given as bytes is decoded as a source file is (importlib's SourceLoader compiles bytes)
        Fn("compile", Compile);
        Fn("__import__", (a, k) =>
        {
            // CPython's builtin___import___impl: the globals given (not the caller's) resolve relative imports
            var args = ImportArgs.Parse(a, k);
            if (args[0] is not PyStr name) throw Ops.TypeError("module name must be a string");
            long level = args.Int(4, 0);
            if (level < 0) throw Ops.ValueError("level must be >= 0");
            if (name.Value.Length == 0 && level == 0) throw Ops.ValueError("Empty module name");
            var globals = args[1] as PyDict ?? new PyDict();
            var ts = ThreadState.Current;
            return ts.Interp.Imports.ImportName(name.Value, globals, args.Get(3, PyTuple.Empty), (int)level);
        });
        Fn("__build_class__", (a, k) => BuildClass((PyFunction)a[0], Ops.Str(a[1]), new PyTuple(a.Slice(2).ToArray()), new PyDict()));
        NativeFn exit = (a, k) => throw new PyException(PyBaseException.Create(PyBaseException.SystemExitType, a.Length > 0 ? a.ToArray() : Array.Empty<PyObject>()));
        Fn("exit", exit);
        Fn("quit", exit);
        return m;
    }

    public static bool IsCallable(PyObject o)
    {
        if (o.IsCallable) return true;
        return o.Type.Lookup(PyStr.S___call__) != null;
    }

    private static PyStr AttrName(PyObject o, string fname)
    {
        if (o is PyStr s) return PyStr.Intern(s.Value);
        throw Ops.TypeError($"attribute name must be string, not '{o.Type.Name}'");
    }

    private static IEnumerable<PyObject> CallableIter(PyObject f, PyObject sentinel)
    {
        while (true)
        {
            var v = Ops.Call0(f);
            if (Ops.Eq(v, sentinel)) yield break;
            yield return v;
        }
    }

    private static PyObject Print(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        int n = Ops.PosCount(a, k);
        string sep = " ", end = "\n";
        PyObject? file = null;
        bool flush = false;
        if (k != null)
            for (int i = 0; i < k.Length; i++)
            {
                var v = a[n + i];
                switch (k[i].Value)
                {
                    case "sep": if (v != PyNone.Instance) sep = v is PyStr ss ? ss.Value : throw Ops.TypeError($"sep must be None or a string, not {v.Type.Name}"); break;
                    case "end": if (v != PyNone.Instance) end = v is PyStr es ? es.Value : throw Ops.TypeError($"end must be None or a string, not {v.Type.Name}"); break;
                    case "file": if (v != PyNone.Instance) file = v; break;
                    case "flush": flush = Ops.IsTrue(v); break;
                    default: throw Ops.TypeError($"'{k[i].Value}' is an invalid keyword argument for print()");
                }
            }
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(sep);
            sb.Append(Ops.Str(a[i]));
        }
        sb.Append(end);
        if (file == null)
        {
            var sys = ThreadState.Current.Interp.Sys;
            sys.WriteStdout(sb.ToString());
            if (flush) sys.FlushStdout();
        }
        else
        {
            Ops.CallMethod(file, "write", PyStr.Of(sb.ToString()));
            if (flush) { var fl = Ops.GetAttrOrNull(file, PyStr.Intern("flush")); if (fl != null) Ops.Call0(fl); }
        }
        return PyNone.Instance;
    }

    private static PyObject MinMax(ReadOnlySpan<PyObject> a, PyStr[]? k, bool min)
    {
        string fname = min ? "min" : "max";
        int n = Ops.PosCount(a, k);
        var key = Ops.Arg(a, k, 99, "key");
        if (key == PyNone.Instance) key = null;
        var def = Ops.Arg(a, k, 99, "default");
        if (n == 0) throw Ops.TypeError($"{fname} expected at least 1 argument, got 0");
        IEnumerable<PyObject> Items(PyObject[] arr) { foreach (var x in arr) yield return x; }
        PyObject[] items;
        if (n == 1) items = Ops.ToArray(a[0]);
        else
        {
            if (def != null) throw Ops.TypeError($"Cannot specify a default for {fname}() with multiple positional arguments");
            items = a.Slice(0, n).ToArray();
        }
        PyObject? best = null, bestKey = null;
        foreach (var v in Items(items))
        {
            var kv = key == null ? v : Ops.Call1(key, v);
            if (best == null) { best = v; bestKey = kv; continue; }
            bool better = min ? Ops.LessThan(kv, bestKey!) : Ops.LessThan(bestKey!, kv);
            if (better) { best = v; bestKey = kv; }
        }
        if (best == null)
        {
            if (def != null) return def;
            throw Ops.ValueError($"{fname}() arg is an empty sequence");
        }
        return best;
    }

    public static PyObject Locals()
    {
        var f = ThreadState.Current.CurrentFrame;
        if (f == null) return new PyDict();
        if (f.Locals != null) return f.Locals;
        if (f.Code.IsModule) return f.Globals;
        // CPython 3.11: the frame's one f_locals dict, refreshed (free variables included)
        return PyFrameObject.Of(f).LocalsDict();
    }

    /// <summary>dir(): the sorted names of the current scope, or what the object's <c>__dir__</c> (looked up on its
    /// type: a metaclass's for a class) returns, as a sorted list (CPython's _dir_object).</summary>
    private static PyObject Dir(PyObject? o)
    {
        if (o == null)
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var key in ((PyDict)Locals()).KeyList()) names.Add(Ops.Str(key));
            var l = new PyList();
            foreach (var s in names) l.Append(PyStr.Of(s));
            return l;
        }
        var f = o.Type.Lookup(PyStr.Intern("__dir__")) ?? throw Ops.TypeError("object does not provide __dir__");
        var result = new PyList(Ops.ToArray(Ops.CallSlot(f, o)));
        Ops.CallMethod(result, "sort");
        return result;
    }

    /// <summary>object.__dir__ (and type.__dir__ for a class): the instance's __dict__ keys and its class's attributes
    /// along the MRO; a module's dict (or what its own <c>__dir__</c> function returns), unsorted.</summary>
    internal static PyObject DefaultDir(PyObject o)
    {
        if (o is PyModule m)
        {
            var own = m.ModDict.GetOrNull(PyStr.Intern("__dir__"));
            return own != null ? Ops.Call0(own) : new PyList(m.ModDict.KeyList().ToArray());
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var l = new PyList();
        void Add(PyObject key) { if (key is PyStr ks) { if (names.Add(ks.Value)) l.Append(ks); } else l.Append(key); }
        if (o is not PyType && o.Dict is PyDict d) foreach (var key in d.KeyList()) Add(key);
        var t = o as PyType ?? o.Type;
        foreach (var mt in t.Mro) foreach (var key in mt.TypeDict.KeyList()) Add(key);
        if (o is not PyType) Add(PyStr.S___class__);
        // a class statement's instances have a __dict__ descriptor in CPython's class dict (no __weakref__ here:
        // getattr would not find it)
        if (t.IsHeap && !t.NoInstanceDict && (o is PyType || o.Dict != null)) Add(PyStr.S___dict__);
        return l;
    }

    private static readonly string[] CompileParams = { "source", "filename", "mode", "flags", "dont_inherit", "optimize", "_feature_version" };

    /// <summary>compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, *, _feature_version=-1):
    /// source text or bytes, or an <c>_ast</c> tree; <c>PyCF_ONLY_AST</c> in flags returns the tree
    /// (<see cref="Modules.Ast.AstBridge"/>).</summary>
    private static PyObject Compile(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var v = new PyObject?[CompileParams.Length];
        int nkw = k?.Length ?? 0, npos = a.Length - nkw;
        if (npos > 6) throw Ops.TypeError($"compile() takes at most 6 arguments ({npos} given)");
        for (int i = 0; i < npos; i++) v[i] = a[i];
        for (int j = 0; j < nkw; j++)
        {
            int idx = Array.IndexOf(CompileParams, k![j].Value);
            if (idx < 0) throw Ops.TypeError($"compile() got an unexpected keyword argument '{k[j].Value}'");
            if (v[idx] != null) throw Ops.TypeError($"argument for compile() given by name ('{k[j].Value}') and position ({idx + 1})");
            v[idx] = a[npos + j];
        }
        for (int i = 0; i < 3; i++)
            if (v[i] == null) throw Ops.TypeError($"compile() missing required argument '{CompileParams[i]}' (pos {i + 1})");
        string filename = v[1] is PyBytes fb ? Encoding.UTF8.GetString(fb.Span) : v[1] is PyStr fs ? fs.Value
            : throw Ops.TypeError($"compile() argument 'filename' must be str, bytes or os.PathLike, not {v[1]!.Type.Name}");
        string mode = v[2] is PyStr ms ? ms.Value : throw Ops.TypeError($"compile() argument 'mode' must be str, not {v[2]!.Type.Name}");
        long flags = v[3] == null ? 0 : Ops.IndexValue(v[3]!);
        if (mode != "exec" && mode != "eval" && mode != "single" && !(mode == "func_type" && (flags & Modules.Ast.AstModule.PyCF_ONLY_AST) != 0))
            throw Ops.ValueError("compile() mode must be 'exec', 'eval' or 'single'");
        var source = v[0]!;
        if (source.Type.IsSubtypeOf(Modules.Ast.AstModule.AstType))
        {
            if ((flags & Modules.Ast.AstModule.PyCF_ONLY_AST) != 0) return source;
            return Modules.Ast.AstBridge.CompileTree(source, filename, mode);
        }
        string text = source is PyBytes sb ? Importing.SourceText.Decode(sb.Span) : source is PyStr ss ? ss.Value
            : source is PyByteArray ba ? Importing.SourceText.Decode(ba.Span)
            : throw Ops.TypeError("compile() arg 1 must be a string, bytes or AST object");
        if (text.IndexOf('\0') >= 0) throw Ops.Exc(PyBaseException.All["SyntaxError"], "source code string cannot contain null bytes");
        if ((flags & Modules.Ast.AstModule.PyCF_ONLY_AST) != 0) return Modules.Ast.AstBridge.Parse(text, filename, mode);
        return new PyCompiled(text, filename, mode);
    }

    /// <summary>CPython's PyMapping_Check: what exec/eval accept as locals (a type with __getitem__).</summary>
    private static bool IsMapping(PyObject o) => o is PyDict || o.Type.Lookup(PyStr.Intern("__getitem__")) != null;

    private static PyObject ExecEval(ReadOnlySpan<PyObject> a, PyStr[]? k, bool eval)
    {
        var src = a[0];
        var ts = ThreadState.Current;
        PyObject? g = a.Length > 1 && a[1] != PyNone.Instance ? a[1] : null, l = a.Length > 2 && a[2] != PyNone.Instance ? a[2] : null;
        // CPython's builtin_eval_impl / builtin_exec_impl checks, in their order
        if (eval && l != null && !IsMapping(l)) throw Ops.TypeError("locals must be a mapping");
        if (g != null && g is not PyDict)
            throw Ops.TypeError(!eval ? $"exec() globals must be a dict, not {g.Type.Name}"
                : IsMapping(g) ? "globals must be a real dict; try eval(expr, {}, mapping)" : "globals must be a dict");
        if (!eval && l != null && !IsMapping(l)) throw Ops.TypeError($"locals must be a mapping or None, not {l.Type.Name}");
        var globals = (PyDict?)g ?? ts.CurrentFrame?.Globals ?? new PyDict();
        PyObject? locals = l;
        if (g == null && l == null && ts.CurrentFrame != null && !ts.CurrentFrame.Code.IsModule) locals = Locals();
        else if (g != null && l == null) locals = globals;
        if (globals.GetOrNull("__builtins__") == null) globals.SetItem("__builtins__", ts.Interp.Builtins);
        string code;
        string mode = eval ? "eval" : "exec";
        string filename = "<string>";
        if (src is PyCodeWrapper cw && cw.Code.IsModule)
            // a module's code object (marshal.loads, a loader's get_code)
            return ts.Interp.RunCode(cw.Code, eval, globals, locals);
        if (src is PyCompiled { Code: not null } tree)
            return ts.Interp.RunCode(tree.Code, tree.Mode == "eval", globals, locals);
        if (src is PyCompiled { Mode: "single" } single)
        {
            // compile(..., "single"): an expression statement's value goes to sys.displayhook (doctest's examples)
            ts.Interp.RegisterSource(single.Filename, single.Source);
            bool separate = locals != null && !ReferenceEquals(locals, globals);
            return ts.Interp.RunCode(PythonEngine.Compile(single.Source, single.Filename, false, interactive: true, nameOps: separate), false, globals, locals);
        }
        if (src is PyCompiled pc) { code = pc.Source; mode = pc.Mode; filename = pc.Filename; }
        else if (src is PyStr s) code = s.Value;
        else if (src is PyBytes b) code = Encoding.UTF8.GetString(b.Span);
        else throw Ops.TypeError($"{(eval ? "eval" : "exec")}() arg 1 must be a string, bytes or code object");
        return ts.Interp.RunSource(code, filename, mode == "eval", globals, locals);
    }
}

/// <summary>Result of compile(): keeps the source; compiled again on exec/eval.</summary>
public sealed class PyCompiled : PyObject
{
    public readonly string Source, Filename, Mode;
    /// <summary>Compiled from an <c>_ast</c> tree (there is no source to compile again).</summary>
    public readonly Compiler.CodeObject? Code;
    public PyCompiled(string src, string filename, string mode)
    {
        Source = src; Filename = filename; Mode = mode;
        PythonEngine.CheckSyntax(src, filename, mode == "eval");
    }
    public PyCompiled(Compiler.CodeObject code, string filename, string mode)
    {
        Source = ""; Filename = filename; Mode = mode; Code = code;
    }
    public override PyType Type => PyCodeWrapper.TypeObj;

    private Compiler.CodeObject? _compiled;
    /// <summary>The code object's attributes (co_firstlineno, co_positions()...) are those of the source compiled once
    /// more, bound to that code object.</summary>
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        var code = Code ?? (_compiled ??= PythonEngine.Compile(Source, Filename, Mode == "eval", Mode == "single"));
        return Ops.GetAttrOrNull(PyCodeWrapper.Of(code), name);
    }
}
