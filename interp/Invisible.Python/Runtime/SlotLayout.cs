using System;
using System.Collections.Generic;

namespace Invisible.Python.Runtime;

/// <summary>__slots__ (CPython's type_new slot handling): each name becomes a member descriptor on the class that
/// reads and writes one entry of the instance's <see cref="PyInstance.SlotValues"/>; a class whose every class has
/// __slots__ without "__dict__" (down to object) gives its instances no __dict__. Only instances of plain classes
/// (object as solid base) are laid out so; a builtin base (list, int...) keeps its dict.</summary>
internal static class SlotLayout
{
    public static PyType MemberDescriptorType = null!;
    /// <summary>CPython's getset_descriptor: computed attributes of built-in types (function.__code__...).</summary>
    public static PyType GetSetDescriptorType = null!;

    /// <summary>__get__/__set__/__delete__ of property and member_descriptor objects called explicitly
    /// (descriptor.__get__(obj, type)): the eval loop's attribute paths call the accessors directly.</summary>
    public static void AddDescriptorMethods(PyType t)
    {
        t.AddMethod("__get__", (a, k) =>
        {
            if (a.Length < 2 || a.Length > 3) throw Ops.TypeError($"expected 1 or 2 arguments, got {a.Length - 1}");
            var p = (PyProperty)a[0];
            if (a[1] == PyNone.Instance) return p;
            if (p.Get == null) throw Ops.AttributeError("unreadable attribute");
            return Ops.CallArgs(p.Get, a[1]);
        });
        t.AddMethod("__set__", (a, k) =>
        {
            if (a.Length != 3) throw Ops.TypeError($"expected 2 arguments, got {a.Length - 1}");
            var p = (PyProperty)a[0];
            if (p.Set == null) throw Ops.AttributeError("can't set attribute");
            Ops.CallArgs(p.Set, a[1], a[2]);
            return PyNone.Instance;
        });
        t.AddMethod("__delete__", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"expected 1 argument, got {a.Length - 1}");
            var p = (PyProperty)a[0];
            if (p.Del == null) throw Ops.AttributeError("can't delete attribute");
            Ops.CallArgs(p.Del, a[1]);
            return PyNone.Instance;
        });
    }

    /// <summary>A class without __slots__: instances get a __dict__; slots inherited keep their indices.</summary>
    public static void Inherit(PyType t, List<PyType> bases)
    {
        t.SlotCount = BaseSlotCount(t, bases);
        t.NoInstanceDict = false;
    }

    public static void Apply(PyType t, List<PyType> bases, PyObject slotsObj, PyDict ns)
    {
        var names = new List<string>();
        if (slotsObj is PyStr one) names.Add(one.Value);
        else foreach (var item in Ops.ToArray(slotsObj))
            {
                if (item is not PyStr s) throw Ops.TypeError($"__slots__ items must be strings, not '{item.Type.Name}'");
                names.Add(s.Value);
            }
        bool wantDict = false, wantWeakref = false;
        int index = BaseSlotCount(t, bases);
        foreach (var raw in names)
        {
            if (!IsIdentifier(raw)) throw Ops.TypeError("__slots__ must be identifiers");
            if (raw == "__dict__")
            {
                if (wantDict || HasDictAlready(bases)) throw Ops.TypeError("__dict__ slot disallowed: we already got one");
                wantDict = true;
                continue;
            }
            if (raw == "__weakref__")
            {
                if (wantWeakref) throw Ops.TypeError("__weakref__ slot disallowed: we already got one");
                wantWeakref = true;
                continue;
            }
            string name = Mangle(t.Name, raw);
            // a name listed twice (Lib's datetime: date.__slots__ + time.__slots__) gets two members, the last one
            // in the class dict wins: CPython's type_new does the same
            if (ns.GetOrNull(PyStr.Intern(name)) != null) throw Ops.ValueError($"'{name}' in __slots__ conflicts with class variable");
            t.TypeDict.SetItem(PyStr.Intern(name), Member(t, name, index++));
        }
        t.SlotCount = index;
        bool plainBases = true;
        foreach (var b in bases) if (b != PyType.ObjectType && !(b.IsHeap && b.NoInstanceDict)) { plainBases = false; break; }
        t.NoInstanceDict = !wantDict && plainBases;
    }

    /// <summary>CPython's type_new_descriptors: the class that first gives its instances a __dict__ (no __slots__, or
    /// "__dict__" listed, over bases whose instances have none) gets a <c>__dict__</c> getset descriptor in its own
    /// dict, and likewise <c>__weakref__</c> (not over int, tuple or bytes, whose instances are variable-size, nor
    /// over a built-in type that has weak references already). So <c>'__dict__' in C.__dict__</c>, <c>vars(C)</c> and
    /// <c>dir()</c> list them as CPython's do; reading <c>obj.__dict__</c> finds the descriptor as it would any data
    /// descriptor.</summary>
    public static void AddDictAndWeakrefDescriptors(PyType t, PyObject? slotsObj)
    {
        bool baseHasDict = false, baseHasWeakref = false, varSize = false;
        for (int i = 1; i < t.Mro.Length; i++)
        {
            var b = t.Mro[i];
            if (b.IsHeap)
            {
                baseHasDict |= b.TypeDict.GetOrNull(PyStr.S___dict__) != null;
                baseHasWeakref |= b.TypeDict.GetOrNull(S___weakref__) != null;
                continue;
            }
            if (b == PyBaseException.BaseExceptionType || b == PyType.TypeType || b == PyModule.TypeObj) baseHasDict = true;
            if (b == PySet.SetType || b == PySet.FrozenSetType || b == PyType.TypeType || b == PyModule.TypeObj) baseHasWeakref = true;
            if (b == PyInt.TypeObj || b == PyTuple.TypeObj || b == PyBytes.TypeObj) varSize = true;
        }
        bool listsWeakref = slotsObj == null || ListsName(slotsObj, "__weakref__");
        bool listsDict = slotsObj == null || ListsName(slotsObj, "__dict__");
        if (listsDict && !t.NoInstanceDict && !baseHasDict) t.TypeDict.SetItem(PyStr.S___dict__, DictDescriptor(t));
        if (listsWeakref && !baseHasWeakref && !varSize) t.TypeDict.SetItem(S___weakref__, WeakrefDescriptor(t));
    }

    private static readonly PyStr S___weakref__ = PyStr.Intern("__weakref__");

    private static PyObject CheckOwner(PyType owner, string name, PyObject o)
        => o.Type.IsSubtypeOf(owner) ? o : throw Ops.TypeError($"descriptor '{name}' for '{owner.Name}' objects doesn't apply to a '{o.Type.Name}' object");

    private static PyObject DictDescriptor(PyType owner)
    {
        var get = new PyBuiltinFunction("__dict__", (a, k) =>
            CheckOwner(owner, "__dict__", a[0]).Dict ?? throw Ops.AttributeError($"This object has no __dict__"));
        var set = new PyBuiltinFunction("__dict__", (a, k) =>
        {
            var o = CheckOwner(owner, "__dict__", a[0]);
            if (a[1] is not PyDict d) throw Ops.TypeError($"__dict__ must be set to a dictionary, not a '{a[1].Type.Name}'");
            ReplaceDict(o, d);
            return PyNone.Instance;
        });
        // del obj.__dict__: the instance starts over with an empty dict (CPython 3.11 clears its dict pointer)
        var del = new PyBuiltinFunction("__dict__", (a, k) => { ReplaceDict(CheckOwner(owner, "__dict__", a[0]), new PyDict()); return PyNone.Instance; });
        return new PyProperty(get, set, del, GetSetDescriptorType, $"<attribute '__dict__' of '{owner.Name}' objects>");
    }

    /// <summary>obj.__dict__ = d: a plain instance takes <paramref name="d"/> itself (later changes to d show); other
    /// objects keep their dict, refilled from d.</summary>
    private static void ReplaceDict(PyObject o, PyDict d)
    {
        if (o is PyInstance inst) { inst.ReplaceDict(d); return; }
        var cur = o.Dict ?? throw Ops.AttributeError("This object has no __dict__");
        if (ReferenceEquals(cur, d)) return;
        cur.Clear();
        cur.Update(d);
    }

    private static PyObject WeakrefDescriptor(PyType owner)
    {
        var get = new PyBuiltinFunction("__weakref__", (a, k) =>
        {
            var refs = Modules.WeakRefs.Live(CheckOwner(owner, "__weakref__", a[0]));
            return refs.Count > 0 ? refs[0] : PyNone.Instance;
        });
        var set = new PyBuiltinFunction("__weakref__", (a, k) =>
            throw Ops.AttributeError($"attribute '__weakref__' of '{owner.Name}' objects is not writable"));
        return new PyProperty(get, set, set, GetSetDescriptorType, $"<attribute '__weakref__' of '{owner.Name}' objects>");
    }

    private static bool ListsName(PyObject slots, string name)
    {
        if (slots is PyStr one) return one.Value == name;
        if (slots is not PyTuple && slots is not PyList) return false;
        foreach (var item in Ops.ToArray(slots)) if (item is PyStr s && s.Value == name) return true;
        return false;
    }

    /// <summary>CPython's type_new_slots rejects a "__dict__" slot only when a base's instances already have a
    /// __dict__ (tp_dictoffset != 0): a class of the line without __slots__, or whose __slots__ lists "__dict__", or a
    /// built-in type with instance dicts (exceptions, type). A built-in base such as set or list has none, so
    /// <c>class S(set): __slots__ = ('x', '__dict__')</c> is allowed (test_set).</summary>
    private static bool HasDictAlready(List<PyType> bases)
    {
        foreach (var b in bases)
            foreach (var t in b.Mro)
            {
                if (t == PyType.ObjectType) continue;
                if (!t.IsHeap)
                {
                    if (t.IsSubtypeOf(PyBaseException.BaseExceptionType) || t.IsSubtypeOf(PyType.TypeType)) return true;
                    continue;
                }
                var slots = t.TypeDict.GetOrNull(PyStr.Intern("__slots__"));
                if (slots == null || ListsDict(slots)) return true;
            }
        return false;
    }

    private static bool ListsDict(PyObject slots)
    {
        if (slots is PyStr one) return one.Value == "__dict__";
        if (slots is not PyTuple && slots is not PyList) return false;
        foreach (var item in Ops.ToArray(slots)) if (item is PyStr s && s.Value == "__dict__") return true;
        return false;
    }

    private static int BaseSlotCount(PyType t, List<PyType> bases)
    {
        // CPython's best_base: the bases' solid bases (the nearest class that adds slots) must lie on one line
        PyType? solid = null;
        foreach (var b in bases)
        {
            if (b.SlotCount == 0) continue;
            var s = SolidBase(b);
            if (solid == null || s.IsSubtypeOf(solid)) solid = s;
            else if (!solid.IsSubtypeOf(s)) throw Ops.TypeError("multiple bases have instance lay-out conflict");
        }
        return solid?.SlotCount ?? 0;
    }

    /// <summary>The nearest class of <paramref name="t"/>'s line that adds slot members (CPython's solid_base): a
    /// class with empty <c>__slots__</c>, or with only <c>__dict__</c>/<c>__weakref__</c>, lays out as its base.</summary>
    private static PyType SolidBase(PyType t)
    {
        while (true)
        {
            PyType? widest = null;
            foreach (var b in t.Bases) if (widest == null || b.SlotCount > widest.SlotCount) widest = b;
            if (widest == null || widest.SlotCount != t.SlotCount) return t;
            t = widest;
        }
    }

    private static string Mangle(string cls, string name)
    {
        if (!name.StartsWith("__", StringComparison.Ordinal) || name.EndsWith("__", StringComparison.Ordinal)) return name;
        var stripped = cls.TrimStart('_');
        return stripped.Length == 0 ? name : "_" + stripped + name;
    }

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_')) return false;
        foreach (var c in s) if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static PyObject Member(PyType owner, string name, int index)
    {
        // an instance of a class with a built-in base (list, dict...) has no slot array: it keeps its slot values
        // in its __dict__ under the slot's name (it always has one here)
        var key = PyStr.Intern(name);
        PyInstance? Check(PyObject o)
        {
            if (o.Type.IsSubtypeOf(owner)) return o as PyInstance;
            throw Ops.TypeError($"descriptor '{name}' for '{owner.Name}' objects doesn't apply to a '{o.Type.Name}' object");
        }
        PyObject Missing(PyObject o) => throw Ops.AttributeError($"'{o.Type.Name}' object has no attribute '{name}'");
        var get = new PyBuiltinFunction(name, (a, k) =>
        {
            var inst = Check(a[0]);
            if (inst == null) return a[0].Dict?.GetOrNull(key) ?? Missing(a[0]);
            var v = inst.SlotValues != null && index < inst.SlotValues.Length ? inst.SlotValues[index] : null;
            return v ?? Missing(inst);
        });
        var set = new PyBuiltinFunction(name, (a, k) =>
        {
            var inst = Check(a[0]);
            if (inst == null)
            {
                var d = a[0].Dict;
                if (d == null) return Missing(a[0]);
                d.SetItem(key, a[1]);
                return PyNone.Instance;
            }
            var arr = inst.SlotValues;
            if (arr == null || arr.Length <= index)
            {
                var grown = new PyObject?[Math.Max(inst.Type.SlotCount, index + 1)];
                arr?.CopyTo(grown, 0);
                inst.SlotValues = arr = grown;
            }
            arr[index] = a[1];
            return PyNone.Instance;
        });
        var del = new PyBuiltinFunction(name, (a, k) =>
        {
            var inst = Check(a[0]);
            if (inst == null)
            {
                if (a[0].Dict is not { } d || !d.Remove(key)) Missing(a[0]);
                return PyNone.Instance;
            }
            if (inst.SlotValues == null || index >= inst.SlotValues.Length || inst.SlotValues[index] == null)
                Missing(inst);
            inst.SlotValues![index] = null;
            return PyNone.Instance;
        });
        return new PyProperty(get, set, del, MemberDescriptorType, $"<member '{name}' of '{owner.Name}' objects>");
    }
}
