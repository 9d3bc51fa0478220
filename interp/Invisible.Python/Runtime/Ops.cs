using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Invisible.Python.Runtime;

/// <summary>The Python object protocol: heap-class dunder dispatch, then the builtin virtuals.</summary>
public static class Ops
{
    // ---------------- exceptions ----------------
    public static PyException Exc(PyType t, string msg) => new(PyBaseException.Create(t, msg));
    public static PyException TypeError(string m) => Exc(PyBaseException.TypeErrorType, m);
    public static PyException ValueError(string m) => Exc(PyBaseException.ValueErrorType, m);
    public static PyException IndexError(string m) => Exc(PyBaseException.IndexErrorType, m);
    public static PyException KeyError(string m) => Exc(PyBaseException.KeyErrorType, m);
    public static PyException AttributeError(string m) => Exc(PyBaseException.AttributeErrorType, m);
    public static PyException NameError(string m) => Exc(PyBaseException.NameErrorType, m);
    public static PyException ZeroDivisionError(string m) => Exc(PyBaseException.ZeroDivisionErrorType, m);
    public static PyException OverflowError(string m) => Exc(PyBaseException.OverflowErrorType, m);
    public static PyException RuntimeError(string m) => Exc(PyBaseException.RuntimeErrorType, m);
    public static PyException NotImplementedError(string m) => Exc(PyBaseException.NotImplementedErrorType, m);
    public static PyException OSError(string m) => Exc(PyBaseException.OSErrorType, m);
    public static PyException ImportError(string m) => Exc(PyBaseException.ImportErrorType, m);
    public static PyException MemoryError() => new(PyBaseException.Create(PyBaseException.MemoryErrorType));
    public static PyException StopIteration(PyObject? value = null)
        => new(value == null ? PyBaseException.Create(PyBaseException.StopIterationType) : PyBaseException.Create(PyBaseException.StopIterationType, value));

    public static long Id(PyObject o) => IdTable.Get(o);

    // ---------------- basic protocol ----------------
    public static bool IsTrue(PyObject o)
    {
        if (o is PyBool b) return b.V != 0;
        if (o == PyNone.Instance) return false;
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___bool__);
            if (f != null)
            {
                var r = CallSlot(f, o);
                if (r is not PyBool rb) throw TypeError($"__bool__ should return bool, returned {r.Type.Name}");
                return rb.V != 0;
            }
            f = t.LookupHeap(PyStr.S___len__);
            if (f != null) return SlotLength(CallSlot(f, o)) != 0;
        }
        return o.IsTrue();
    }

    public static int Len(PyObject o)
    {
        if (o.Type.IsHeap)
        {
            var f = o.Type.LookupHeap(PyStr.S___len__);
            if (f != null)
            {
                long v = SlotLength(CallSlot(f, o));
                if (v > int.MaxValue) throw OverflowError("cannot fit 'int' into an index-sized integer");
                return (int)v;
            }
        }
        if (!o.HasLen) throw TypeError($"object of type '{o.Type.Name}' has no len()");
        return o.Len();
    }

    /// <summary>len() as a Py_ssize_t: a class's <c>__len__</c> and a range may exceed an int (len(range(2**62))), which
    /// <see cref="Len"/> cannot return.</summary>
    public static long LenLong(PyObject o)
    {
        if (o.Type.IsHeap && o.Type.LookupHeap(PyStr.S___len__) is { } f) return SlotLength(CallSlot(f, o));
        if (o is PyRange r) return r.Length;
        return Len(o);
    }

    /// <summary>What a class's <c>__len__</c> returned, checked as CPython's slot_sq_length: an integer (through
    /// <c>__index__</c>), not negative, fitting a Py_ssize_t (OverflowError otherwise).</summary>
    private static long SlotLength(PyObject r)
    {
        if (r is not PyInt ri)
        {
            if (r.Type.Lookup(PyStr.S___index__) == null) throw TypeError($"'{r.Type.Name}' object cannot be interpreted as an integer");
            ri = (PyInt)Index(r);
        }
        if (ri.Sign < 0) throw ValueError("__len__() should return >= 0");
        if (ri.IsBig) throw OverflowError("cannot fit 'int' into an index-sized integer");
        return ri.V;
    }

    public static string Repr(PyObject o)
    {
        // CPython's PyObject_Repr: every level counts (nested containers recurse natively here).
        Recursion.Enter(" while getting the repr of an object");
        try { return ReprCore(o); }
        finally { Recursion.Leave(); }
    }

    private static string ReprCore(PyObject o)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.Lookup(PyStr.S___repr__);
            if (f != null && f is not PyBuiltinFunction)
            {
                var r = CallSlot(f, o);
                if (r is not PyStr s) throw TypeError($"__repr__ returned non-string (type {r.Type.Name})");
                return s.Value;
            }
        }
        return o.Repr();
    }

    public static string Str(PyObject o)
    {
        if (o.GetType() == typeof(PyStr)) return ((PyStr)o).Value; // exact: a str subclass may override __str__
        Recursion.Enter(" while getting the str of an object");
        try { return StrCore(o); }
        finally { Recursion.Leave(); }
    }

    private static string StrCore(PyObject o)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.Lookup(PyStr.S___str__);
            if (f != null)
            {
                var r = CallSlot(f, o);
                if (r is not PyStr s) throw TypeError($"__str__ returned non-string (type {r.Type.Name})");
                return s.Value;
            }
            return Repr(o);
        }
        return o.Str();
    }

    public static long Hash(PyObject o)
    {
        if (o.GetType() == typeof(PyStr)) return System.Runtime.CompilerServices.Unsafe.As<PyStr>(o).Hash(); // exact type: one compare, no cast helper
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.Lookup(PyStr.S___hash__);
            if (f == PyNone.Instance) throw TypeError($"unhashable type: '{t.Name}'");
            if (f != null && f is not PyBuiltinFunction)
            {
                var r = CallSlot(f, o);
                if (r is not PyInt ri) throw TypeError("__hash__ method should return an integer");
                // CPython's slot_tp_hash keeps a result that fits a Py_hash_t as it is (a str's hash stays that
                // str's hash); only a wider int is hashed as an int
                if (!ri.IsBig) return ri.V == -1 ? -2 : ri.V;
                return ri.Hash();
            }
        }
        if (!o.Hashable) throw TypeError($"unhashable type: '{t.Name}'");
        return o.Hash();
    }

    // ---------------- attributes ----------------
    public static PyObject? GenericGetAttr(PyObject obj, PyStr name)
    {
        var t = obj.Type;
        var attr = t.Lookup(name);
        if (attr != null)
        {
            if (attr is PyProperty p)
            {
                if (p.Get == null) throw AttributeError($"property '{name.Value}' of '{t.Name}' object has no getter");
                return CallArgs(p.Get, obj);
            }
            if (attr.Type.IsHeap && attr is not PyType)
            {
                var at = attr.Type;
                if (at.Lookup(PyStr.S___set__) != null || at.Lookup(PyStr.S___delete__) != null)
                {
                    var g = at.Lookup(PyStr.S___get__);
                    if (g != null) return CallArgs(g, attr, obj, t);
                }
            }
        }
        var d = obj.Dict;
        if (d != null)
        {
            var v = d.GetOrNull(name);
            if (v != null) return v;
        }
        if (attr != null)
        {
            switch (attr)
            {
                case PyFunction: return new PyBoundMethod(obj, attr);
                case PyBuiltinFunction bf: return bf.IsMethod ? new PyBoundMethod(obj, attr) : attr;
                case PyClassMethod cm: return new PyBoundMethod(t, cm.Func);
                case PyStaticMethod sm: return sm.Func;
            }
            if (attr.Type.IsHeap && attr is not PyType)
            {
                var g = attr.Type.Lookup(PyStr.S___get__);
                if (g != null) return CallArgs(g, attr, obj, t);
            }
            return attr;
        }
        if (ReferenceEquals(name, PyStr.S___class__)) return t;
        if (ReferenceEquals(name, PyStr.S___dict__) && d != null) return d;
        if (name.Value == "__doc__") return PyNone.Instance;
        // an instance of a built-in type has no __module__ (CPython's is a getset of type objects only):
        // test.support.check__all__ and inspect.getmodule tell module-level constants by that
        if (name.Value == "__module__") return t.TypeDict.GetOrNull(name);
        return null;
    }

    public static void GenericSetAttr(PyObject obj, PyStr name, PyObject value)
    {
        var t = obj.Type;
        var attr = t.Lookup(name);
        if (attr != null)
        {
            if (attr is PyProperty p)
            {
                if (p.Set == null) throw AttributeError($"property '{name.Value}' of '{t.Name}' object has no setter");
                CallArgs(p.Set, obj, value);
                return;
            }
            if (attr.Type.IsHeap && attr is not PyType)
            {
                var s = attr.Type.Lookup(PyStr.S___set__);
                if (s != null) { CallArgs(s, attr, obj, value); return; }
            }
        }
        var d = obj.Dict;
        if (d == null)
        {
            if (ReferenceEquals(name, PyStr.S___class__) && obj is PyInstance) throw TypeError("__class__ assignment not supported");
            throw NoDictAttrError(t, name, attr);
        }
        d.SetItem(name, value);
    }

    public static void GenericDelAttr(PyObject obj, PyStr name)
    {
        var t = obj.Type;
        var attr = t.Lookup(name);
        if (attr is PyProperty p)
        {
            if (p.Del == null) throw AttributeError($"property '{name.Value}' of '{t.Name}' object has no deleter");
            CallArgs(p.Del, obj);
            return;
        }
        if (attr != null && attr.Type.IsHeap && attr is not PyType)
        {
            var s = attr.Type.Lookup(PyStr.S___delete__);
            if (s != null) { CallArgs(s, attr, obj); return; }
        }
        var d = obj.Dict;
        if (d == null) throw NoDictAttrError(t, name, attr);
        if (!d.Remove(name)) throw AttributeError($"'{t.Name}' object has no attribute '{name.Value}'");
    }

    /// <summary>Setting or deleting an attribute of an object without a __dict__: a class attribute that is no data
    /// descriptor is read-only (CPython's _PyObject_GenericSetAttrWithDict texts).</summary>
    private static PyException NoDictAttrError(PyType t, PyStr name, PyObject? classAttr)
        => classAttr != null ? AttributeError($"'{t.Name}' object attribute '{name.Value}' is read-only")
            : AttributeError($"'{t.Name}' object has no attribute '{name.Value}'");

    public static PyObject? GetAttrOrNull(PyObject o, PyStr name)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var ga = t.LookupHeap(PyStr.S___getattribute__);
            if (ga != null)
            {
                try { return CallSlot(ga, o, name); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType))
                {
                    var g2 = t.LookupHeap(PyStr.S___getattr__);
                    if (g2 != null) return CallSlot(g2, o, name);
                    return null;
                }
            }
            var g = t.LookupHeap(PyStr.S___getattr__);
            if (g == null) return o.GetAttrOrNull(name);
            // slot_tp_getattr_hook: an AttributeError from the ordinary lookup (a descriptor's __get__) falls back
            // to __getattr__ too
            PyObject? r;
            try { r = o.GetAttrOrNull(name); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { r = null; }
            if (r != null) return r;
            try { return CallSlot(g, o, name); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return null; }
        }
        return o.GetAttrOrNull(name);
    }

    /// <summary>A class's __getattr__; an AttributeError it raises gets the name and object it was about when it has none
    /// (CPython 3.11's set_attribute_error_context: the "Did you mean" hint reads them).</summary>
    private static PyObject CallGetattr(PyObject getattr, PyObject o, PyStr name)
    {
        try { return CallSlot(getattr, o, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType))
        {
            e.Value.ErrName ??= name;
            e.Value.ErrObj ??= o;
            throw;
        }
    }

    public static PyObject GetAttr(PyObject o, PyStr name)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var ga = t.LookupHeap(PyStr.S___getattribute__);
            if (ga != null)
            {
                try { return CallSlot(ga, o, name); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType))
                {
                    var g2 = t.LookupHeap(PyStr.S___getattr__);
                    if (g2 != null) return CallGetattr(g2, o, name);
                    throw;
                }
            }
            var g = t.LookupHeap(PyStr.S___getattr__);
            if (g == null)
            {
                var r = o.GetAttrOrNull(name);
                if (r != null) return r;
            }
            else
            {
                // slot_tp_getattr_hook: an AttributeError from the ordinary lookup falls back to __getattr__ too
                PyObject? r;
                try { r = o.GetAttrOrNull(name); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { r = null; }
                if (r != null) return r;
                return CallGetattr(g, o, name);
            }
        }
        else
        {
            var r = o.GetAttrOrNull(name);
            if (r != null) return r;
        }
        throw AttrError(o, name);
    }

    public static PyException AttrError(PyObject o, PyStr name)
    {
        var e = o is PyModule m ? AttributeError($"module '{m.Name}' has no attribute '{name.Value}'")
            : o is PyType ty ? AttributeError($"type object '{ty.Name}' has no attribute '{name.Value}'")
            : AttributeError($"'{o.Type.Name}' object has no attribute '{name.Value}'");
        // CPython 3.11 sets AttributeError.name and .obj (traceback.py's "Did you mean" reads them)
        e.Value.ErrName = name;
        e.Value.ErrObj = o;
        return e;
    }

    /// <summary>NameError "name 'x' is not defined" with its <c>name</c> attribute set, as CPython 3.11.</summary>
    public static PyException NameNotDefined(PyStr name)
    {
        var e = NameError($"name '{name.Value}' is not defined");
        e.Value.ErrName = name;
        return e;
    }

    public static PyObject GetAttr(PyObject o, string name) => GetAttr(o, PyStr.Intern(name));
    public static bool HasAttr(PyObject o, string name) => GetAttrOrNull(o, PyStr.Intern(name)) != null;

    public static void SetAttr(PyObject o, PyStr name, PyObject v)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___setattr__);
            if (f != null) { CallSlot(f, o, name, v); return; }
        }
        o.SetAttr(name, v);
    }

    public static void DelAttr(PyObject o, PyStr name)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___delattr__);
            if (f != null) { CallSlot(f, o, name); return; }
        }
        o.DelAttr(name);
    }

    // ---------------- items ----------------
    public static PyObject GetItem(PyObject o, PyObject key)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___getitem__);
            if (f != null) return CallSlot(f, o, key);
        }
        if (o is PyType ty)
        {
            var cg = ty.Lookup(PyStr.S___class_getitem__);
            if (cg != null) return CallArgs(cg is PyClassMethod cm ? cm.Func : cg, o, key);
            if (!ty.IsHeap) return new PyGenericAlias(ty, key);
        }
        return o.GetItem(key);
    }

    public static void SetItem(PyObject o, PyObject key, PyObject v)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___setitem__);
            if (f != null) { CallSlot(f, o, key, v); return; }
        }
        o.SetItem(key, v);
    }

    public static void DelItem(PyObject o, PyObject key)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___delitem__);
            if (f != null) { CallSlot(f, o, key); return; }
        }
        o.DelItem(key);
    }

    public static bool Contains(PyObject container, PyObject item)
    {
        var t = container.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___contains__);
            if (f != null) return IsTrue(CallSlot(f, container, item));
            if (t.LookupHeap(PyStr.S___iter__) == null && t.LookupHeap(PyStr.S___getitem__) != null) return ContainsByIter(container, item);
        }
        var r = container.Contains(item);
        if (r.HasValue) return r.Value;
        return ContainsByIter(container, item);
    }

    private static bool ContainsByIter(PyObject container, PyObject item)
    {
        var it = GetIter(container);
        PyObject? v;
        while ((v = Next(it)) != null) if (ReferenceEquals(v, item) || Eq(v, item)) return true;
        return false;
    }

    // ---------------- iteration ----------------
    public static PyObject GetIter(PyObject o)
    {
        var t = o.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___iter__);
            if (f == PyNone.Instance) throw TypeError($"'{t.Name}' object is not iterable"); // __iter__ = None opts out
            if (f != null)
            {
                var it = CallSlot(f, o);
                if (!IsIterator(it)) throw TypeError($"iter() returned non-iterator of type '{it.Type.Name}'");
                return it;
            }
            // the old sequence protocol only when no base defines __iter__ (a tuple subclass's __getitem__ does not
            // change how it iterates: CPython's tp_iter is inherited)
            if (t.LookupHeap(PyStr.S___getitem__) != null && t.Lookup(PyStr.S___iter__) == null) return new PySeqGetItemIterator(o);
        }
        return o.Iter();
    }

    public static bool IsIterator(PyObject o)
    {
        if (o.Type.IsHeap) return o.Type.LookupHeap(PyStr.S___next__) != null || o.Type.Lookup(PyStr.S___next__) != null;
        return o.Type.Lookup(PyStr.S___next__) != null || o is PySeqIterator || o is PyListIterator || o is PyRangeIterator || o is PyDictIterator || o is PyStrIterator
            || o is Modules.PyWeakProxy; // CPython's proxy types have tp_iternext (proxy_iternext checks the referent)
    }

    /// <summary>Next value or null when exhausted.</summary>
    public static PyObject? Next(PyObject it)
    {
        var t = it.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(PyStr.S___next__);
            if (f != null)
            {
                try { return CallSlot(f, it); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType)) { return null; }
            }
        }
        return it.Next();
    }

    public static PyObject[] ToArray(PyObject o)
    {
        if (o is PyTuple t && !t.Type.IsHeap) return t.Items;
        if (o is PyList l && !l.Type.IsHeap) return l.ToArray();
        var list = new PyList();
        var it = GetIter(o);
        PyObject? v;
        while ((v = Next(it)) != null) list.Append(v);
        return list.ToArray();
    }

    // ---------------- calls ----------------
    public static PyObject Call(PyObject f, ReadOnlySpan<PyObject> args, PyStr[]? kwnames = null)
    {
        var t = f.Type;
        if (t.IsHeap && f is not PyType)
        {
            var c = t.LookupHeap(PyStr.S___call__);
            if (c != null)
            {
                if (!c.Type.IsHeap || c is PyType) return CallSlot(c, f, args, kwnames);
                // __call__ is itself an instance of a class with __call__ (A.__call__ = A()): native recursion that
                // CPython's slot_tp_call counts, so it ends in RecursionError instead of never returning
                Recursion.Enter(" while calling a Python object");
                try { return CallSlot(c, f, args, kwnames); }
                finally { Recursion.Leave(); }
            }
        }
        return f.Call(args, kwnames);
    }
    public static PyObject Call0(PyObject f) => Call(f, ReadOnlySpan<PyObject>.Empty);
    public static PyObject Call1(PyObject f, PyObject a) => Call(f, new[] { a });
    public static PyObject CallArgs(PyObject f, params PyObject[] args) => Call(f, args);
    public static PyObject CallPrepend(PyObject f, PyObject first, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        var a = new PyObject[args.Length + 1];
        a[0] = first;
        args.CopyTo(a.AsSpan(1));
        return Call(f, a, kwnames);
    }
    public static PyObject CallMethod(PyObject o, string name, params PyObject[] args) => Call(GetAttr(o, PyStr.Intern(name)), args);

    public static PyObject CallWithKw(PyObject f, PyObject[] pos, PyDict? kw)
    {
        if (kw == null || kw.Count == 0) return Call(f, pos);
        var names = new PyStr[kw.Count];
        var args = new PyObject[pos.Length + kw.Count];
        pos.CopyTo(args, 0);
        int i = 0;
        foreach (var kv in kw.Items())
        {
            if (kv.Key is not PyStr ks) throw TypeError("keywords must be strings");
            names[i] = ks; args[pos.Length + i] = kv.Value; i++;
        }
        return Call(f, args, names);
    }

    /// <summary>Call a special method found on an instance's type with the instance (CPython's lookup_maybe_method
    /// and call): a function or method descriptor gets the instance as its first argument; any other descriptor
    /// (property, classmethod, staticmethod, an object whose class has <c>__get__</c>) is bound through its
    /// <c>__get__</c> first and the result called; an object without <c>__get__</c> (a class, an instance of a
    /// class with <c>__call__</c> only) is called without the instance.</summary>
    public static PyObject CallSlot(PyObject f, PyObject self)
    {
        if (f is PyFunction || f is PyBuiltinFunction) return Call(f, new[] { self });
        var bound = BindSlot(f, self);
        return bound == null ? Call(f, new[] { self }) : Call(bound, ReadOnlySpan<PyObject>.Empty);
    }

    public static PyObject CallSlot(PyObject f, PyObject self, PyObject a)
    {
        if (f is PyFunction || f is PyBuiltinFunction) return Call(f, new[] { self, a });
        var bound = BindSlot(f, self);
        return bound == null ? Call(f, new[] { self, a }) : Call(bound, new[] { a });
    }

    public static PyObject CallSlot(PyObject f, PyObject self, PyObject a, PyObject b)
    {
        if (f is PyFunction || f is PyBuiltinFunction) return Call(f, new[] { self, a, b });
        var bound = BindSlot(f, self);
        return bound == null ? Call(f, new[] { self, a, b }) : Call(bound, new[] { a, b });
    }

    public static PyObject CallSlot(PyObject f, PyObject self, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (f is PyFunction || f is PyBuiltinFunction) return CallPrepend(f, self, args, kwnames);
        var bound = BindSlot(f, self);
        return bound == null ? CallPrepend(f, self, args, kwnames) : Call(bound, args, kwnames);
    }

    /// <summary>What a special method found on the type is for <paramref name="self"/> when it is not a plain
    /// function: its <c>__get__</c>'s result, the object itself when it has no <c>__get__</c>; null when the
    /// instance is simply passed first (bound methods and other callables of ours that take it so).</summary>
    public static PyObject? BindSlot(PyObject f, PyObject self)
    {
        switch (f)
        {
            case PyProperty p when !f.Type.IsHeap:
                if (p.Get == null) throw AttributeError("unreadable attribute");
                return CallArgs(p.Get, self);
            case PyClassMethod cm when !f.Type.IsHeap: return new PyBoundMethod(self.Type, cm.Func);
            case PyStaticMethod sm when !f.Type.IsHeap: return sm.Func;
            case PyType: return f;
        }
        if (f.Type.IsHeap)
        {
            var g = f.Type.Lookup(PyStr.S___get__);
            return g != null ? CallSlot(g, f, self, self.Type) : f;
        }
        return null;
    }

    /// <summary>Call a special method looked up on the type (not the instance).</summary>
    public static PyObject? CallSpecial(PyObject o, PyStr name, params PyObject[] args)
    {
        var f = o.Type.Lookup(name);
        if (f == null) return null;
        return CallPrepend(f, o, args, null);
    }

    // ---------------- comparison ----------------
    public static bool CmpResult(int c, CmpOp op) => op switch
    {
        CmpOp.Lt => c < 0, CmpOp.Le => c <= 0, CmpOp.Eq => c == 0, CmpOp.Ne => c != 0, CmpOp.Gt => c > 0, _ => c >= 0,
    };

    private static readonly PyStr[] CmpNames = { PyStr.S___lt__, PyStr.S___le__, PyStr.S___eq__, PyStr.S___ne__, PyStr.S___gt__, PyStr.S___ge__ };
    private static readonly CmpOp[] Swapped = { CmpOp.Gt, CmpOp.Ge, CmpOp.Eq, CmpOp.Ne, CmpOp.Lt, CmpOp.Le };
    private static readonly string[] CmpSyms = { "<", "<=", "==", "!=", ">", ">=" };

    private static PyObject? HeapCompare(PyObject a, PyObject b, CmpOp op)
    {
        var t = a.Type;
        if (t.IsHeap)
        {
            var f = t.LookupHeap(CmpNames[(int)op]);
            if (f != null)
            {
                PyObject r;
                if (f is PyFunction || f is PyBuiltinFunction) r = CallArgs(f, a, b);
                else
                {
                    // slot_tp_richcompare: an error while binding the method (a property's getter) is cleared and the
                    // comparison is NotImplemented
                    PyObject? bound;
                    try { bound = BindSlot(f, a); }
                    catch (PyException) { return null; }
                    r = bound == null ? CallArgs(f, a, b) : Call(bound, new[] { b });
                }
                if (r != PyNotImplementedType.Instance) return r;
                return null;
            }
            // object.__ne__ inverts __eq__; a builtin base with its own __ne__ (int, str, list...) compares itself
            if (op == CmpOp.Ne && ReferenceEquals(t.Lookup(CmpNames[(int)op]), PyType.ObjectType.TypeDict.GetOrNull(CmpNames[(int)op])))
            {
                var eq = t.LookupHeap(PyStr.S___eq__);
                if (eq != null)
                {
                    var r = CallSlot(eq, a, b);
                    if (r == PyNotImplementedType.Instance) return null;
                    return PyBool.Of(!IsTrue(r));
                }
            }
        }
        return a.RichCompare(b, op);
    }

    public static PyObject RichCompare(PyObject a, PyObject b, CmpOp op)
    {
        var ta = a.Type; var tb = b.Type;
        PyObject? r;
        if (!ta.IsHeap && !tb.IsHeap)
        {
            r = a.RichCompare(b, op);
            if (r != null) return r;
            if (!ReferenceEquals(ta, tb)) { r = b.RichCompare(a, Swapped[(int)op]); if (r != null) return r; }
        }
        else
        {
            bool reflectedFirst = !ReferenceEquals(ta, tb) && tb.IsSubtypeOf(ta) && tb.IsHeap;
            if (reflectedFirst) { r = HeapCompare(b, a, Swapped[(int)op]); if (r != null) return r; }
            r = HeapCompare(a, b, op);
            if (r != null) return r;
            if (!reflectedFirst) { r = HeapCompare(b, a, Swapped[(int)op]); if (r != null) return r; }
        }
        if (op == CmpOp.Eq) return PyBool.Of(ReferenceEquals(a, b));
        if (op == CmpOp.Ne) return PyBool.Of(!ReferenceEquals(a, b));
        throw TypeError($"'{CmpSyms[(int)op]}' not supported between instances of '{ta.Name}' and '{tb.Name}'");
    }

    public static bool Eq(PyObject a, PyObject b)
    {
        if (a.GetType() == typeof(PyInt) && b.GetType() == typeof(PyInt) && !((PyInt)a).IsBig && !((PyInt)b).IsBig) return ((PyInt)a).V == ((PyInt)b).V;
        if (a.GetType() == typeof(PyStr) && b.GetType() == typeof(PyStr)) return ((PyStr)a).Value == ((PyStr)b).Value;
        var r = RichCompare(a, b, CmpOp.Eq);
        return r is PyBool rb ? rb.V != 0 : IsTrue(r);
    }

    public static bool LessThan(PyObject a, PyObject b)
    {
        if (a.GetType() == typeof(PyInt) && b.GetType() == typeof(PyInt) && !((PyInt)a).IsBig && !((PyInt)b).IsBig) return ((PyInt)a).V < ((PyInt)b).V;
        if (a.GetType() == typeof(PyFloat) && b.GetType() == typeof(PyFloat)) return ((PyFloat)a).V < ((PyFloat)b).V;
        if (a.GetType() == typeof(PyStr) && b.GetType() == typeof(PyStr)) return string.CompareOrdinal(((PyStr)a).Value, ((PyStr)b).Value) < 0;
        var r = RichCompare(a, b, CmpOp.Lt);
        return r is PyBool rb ? rb.V != 0 : IsTrue(r);
    }

    public static PyObject SeqCompare(PyObject[] a, int na, PyObject[] b, int nb, CmpOp op)
    {
        Recursion.Enter(" in comparison"); // lists and tuples nest: each level is a native recursion, as in CPython
        try { return SeqCompareCore(a, na, b, nb, op); }
        finally { Recursion.Leave(); }
    }

    private static PyObject SeqCompareCore(PyObject[] a, int na, PyObject[] b, int nb, CmpOp op)
    {
        int n = Math.Min(na, nb);
        int i = 0;
        for (; i < n; i++)
        {
            if (ReferenceEquals(a[i], b[i])) continue;
            if (!Eq(a[i], b[i])) break;
        }
        if (i >= n) return PyBool.Of(CmpResult(na.CompareTo(nb), op));
        if (op == CmpOp.Eq) return PyBool.False;
        if (op == CmpOp.Ne) return PyBool.True;
        return RichCompare(a[i], b[i], op);
    }

    // ---------------- arithmetic ----------------
    private static readonly string[] OpNames = { "add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "or", "xor" };
    private static readonly string[] OpSyms = { "+", "-", "*", "@", "/", "//", "%", "** or pow()", "<<", ">>", "&", "|", "^" };
    private static readonly PyStr[] LNames = Array.ConvertAll(OpNames, n => PyStr.Intern("__" + n + "__"));
    private static readonly PyStr[] RNames = Array.ConvertAll(OpNames, n => PyStr.Intern("__r" + n + "__"));
    private static readonly PyStr[] INames = Array.ConvertAll(OpNames, n => PyStr.Intern("__i" + n + "__"));
    public static string OpSymbol(BinOp op) => OpSyms[(int)op];

    public static PyObject BinaryOp(PyObject a, PyObject b, BinOp op)
    {
        var ta = a.Type; var tb = b.Type;
        PyObject? r;
        if (!ta.IsHeap && !tb.IsHeap)
        {
            r = a.BinOp(op, b);
            if (r != null) return r;
            if (!ReferenceEquals(ta, tb)) { r = b.RBinOp(op, a); if (r != null) return r; }
            throw BinOpError(a, b, op);
        }
        bool rfirst = !ReferenceEquals(ta, tb) && tb.IsHeap && tb.IsSubtypeOf(ta) && tb.LookupHeap(RNames[(int)op]) != null;
        if (rfirst) { r = TryRight(a, b, op); if (r != null) return r; }
        r = TryLeft(a, b, op);
        if (r != null) return r;
        if (!rfirst && !ReferenceEquals(ta, tb)) { r = TryRight(a, b, op); if (r != null) return r; }
        throw BinOpError(a, b, op);
    }

    private static PyObject? TryLeft(PyObject a, PyObject b, BinOp op)
    {
        if (a.Type.IsHeap)
        {
            var f = a.Type.LookupHeap(LNames[(int)op]);
            if (f != null) { var r = CallSlot(f, a, b); return r == PyNotImplementedType.Instance ? null : r; }
        }
        // a built-in int's slots know only ints (CPython's return NotImplemented for 1 / MyFloat(2.0)): the C# int
        // also computes int-with-float, which must not preempt a float subclass's own reflected method
        else if (a is PyInt && b is not PyInt && b.Type.IsHeap) return null;
        return a.BinOp(op, b);
    }

    private static PyObject? TryRight(PyObject a, PyObject b, BinOp op)
    {
        if (b.Type.IsHeap)
        {
            var f = b.Type.LookupHeap(RNames[(int)op]);
            if (f != null) { var r = CallSlot(f, b, a); return r == PyNotImplementedType.Instance ? null : r; }
        }
        return b.RBinOp(op, a);
    }

    private static PyException BinOpError(PyObject a, PyObject b, BinOp op)
    {
        if (op == Runtime.BinOp.Add && a is PyStr) return TypeError($"can only concatenate str (not \"{b.Type.Name}\") to str");
        if (op == Runtime.BinOp.Add && a is PyList) return TypeError($"can only concatenate list (not \"{b.Type.Name}\") to list");
        if (op == Runtime.BinOp.Add && a is PyTuple) return TypeError($"can only concatenate tuple (not \"{b.Type.Name}\") to tuple");
        if (op == Runtime.BinOp.Mul && (a is PyStr || a is PyList || a is PyTuple || b is PyStr || b is PyList || b is PyTuple))
            return TypeError($"can't multiply sequence by non-int of type '{(a is PyStr || a is PyList || a is PyTuple ? b : a).Type.Name}'");
        return TypeError($"unsupported operand type(s) for {OpSyms[(int)op]}: '{a.Type.Name}' and '{b.Type.Name}'");
    }

    public static PyObject InplaceOp(PyObject a, PyObject b, BinOp op)
    {
        if (a.Type.IsHeap)
        {
            var f = a.Type.LookupHeap(INames[(int)op]);
            if (f != null) { var r = CallSlot(f, a, b); if (r != PyNotImplementedType.Instance) return r; }
        }
        var ir = a.InplaceOp(op, b);
        if (ir != null) return ir;
        var res = BinaryOpOrNull(a, b, op);
        if (res != null) return res;
        // CPython's inplace message says "**=", not "** or pow()="
        throw TypeError($"unsupported operand type(s) for {(op == Runtime.BinOp.Pow ? "**" : OpSyms[(int)op])}=: '{a.Type.Name}' and '{b.Type.Name}'");
    }

    private static PyObject? BinaryOpOrNull(PyObject a, PyObject b, BinOp op)
    {
        try { return BinaryOp(a, b, op); }
        catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType && e.Value.Str().StartsWith("unsupported operand", StringComparison.Ordinal)) { return null; }
    }

    private static readonly PyStr[] UnNames = { PyStr.S___neg__, PyStr.S___pos__, PyStr.S___invert__ };
    private static readonly string[] UnSyms = { "unary -", "unary +", "unary ~" };
    public static PyObject UnaryOp(PyObject a, UnOp op)
    {
        if (a.Type.IsHeap)
        {
            var f = a.Type.LookupHeap(UnNames[(int)op]);
            if (f != null) return CallSlot(f, a);
        }
        var r = a.UnaryOp(op);
        if (r != null) return r;
        throw TypeError($"bad operand type for {UnSyms[(int)op]}: '{a.Type.Name}'");
    }

    // ---------------- index helpers ----------------
    public static long IndexValue(PyObject o)
    {
        if (o is PyInt i)
        {
            if (i.IsBig) throw IndexError("cannot fit 'int' into an index-sized integer");
            return i.V;
        }
        return IndexValue(Index(o));
    }

    public static long IndexValueClamped(PyObject o)
    {
        var i = o as PyInt ?? (PyInt)Index(o);
        if (i.IsBig) return i.Sign > 0 ? long.MaxValue / 2 : long.MinValue / 2;
        return i.V;
    }

    public static PyObject Index(PyObject o)
    {
        if (o is PyInt) return o;
        var f = o.Type.Lookup(PyStr.S___index__);
        if (f != null) { var r = CallSlot(f, o); if (r is PyInt) return r; throw TypeError("__index__ returned non-int"); }
        throw TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
    }

    public static PyObject[] SliceArray(PyObject[] items, int count, PySlice sl)
    {
        sl.Indices(count, out int start, out _, out int step, out int len);
        if (len <= 0) return Array.Empty<PyObject>();
        var r = new PyObject[len];
        if (step == 1) Array.Copy(items, start, r, 0, len);
        else for (int k = 0, j = start; k < len; k++, j += step) r[k] = items[j];
        return r;
    }

    public static PyObject[] RepeatArray(PyObject[] items, int count, PyInt n)
    {
        if (n.IsBig && n.Sign > 0) throw OverflowError("cannot fit 'int' into an index-sized integer");
        long c = n.IsBig ? 0 : n.V;
        if (c <= 0 || count == 0) return Array.Empty<PyObject>();
        if (c > 100_000_000 / count) throw MemoryError(); // divided, not multiplied: c * count may overflow
        var r = new PyObject[c * count];
        for (long i = 0; i < c; i++) Array.Copy(items, 0, r, i * count, count);
        return r;
    }

    // ---------------- type checks ----------------
    private static readonly PyStr SInstanceCheck = PyStr.Intern("__instancecheck__"), SSubclassCheck = PyStr.Intern("__subclasscheck__"),
        SBases = PyStr.Intern("__bases__");

    /// <summary>isinstance() as CPython's PyObject_IsInstance: a class whose metaclass is builtin is checked directly;
    /// unions and tuples check each member; otherwise the __instancecheck__ of the class's type decides (ABCMeta's,
    /// typing's special forms'), and an object that only has __bases__ counts as a class.</summary>
    public static bool IsInstance(PyObject o, PyObject cls)
    {
        if (ReferenceEquals(o.Type, cls)) return true;
        if (cls is PyType t && (t.Meta == null || !t.Meta.IsHeap)) return RealIsInstance(o, t);
        if (cls is PyUnionType u) cls = u.ArgsTuple;
        if (cls is PyTuple tup)
        {
            Recursion.Enter(" in __instancecheck__");
            try { foreach (var c in tup.Items) if (IsInstance(o, c)) return true; }
            finally { Recursion.Leave(); }
            return false;
        }
        var checker = cls.Type.Lookup(SInstanceCheck);
        if (checker != null)
        {
            Recursion.Enter(" in __instancecheck__");
            try { return IsTrue(CallPrepend(checker, cls, new[] { o }, null)); }
            finally { Recursion.Leave(); }
        }
        return RealIsInstance(o, cls);
    }

    /// <summary>type.__instancecheck__ (CPython's object_isinstance): the type, else a different __class__ the object claims.</summary>
    public static bool RealIsInstance(PyObject o, PyObject cls)
    {
        if (cls is PyType t)
        {
            if (o.Type.IsSubtypeOf(t)) return true;
            // a proxy may claim another class (only objects of heap classes can)
            if (!o.Type.IsHeap) return false;
            var icls = LookupAttrOrNull(o, PyStr.S___class__);
            return icls is PyType it && !ReferenceEquals(it, o.Type) && it.IsSubtypeOf(t);
        }
        if (AbstractBases(cls) == null) throw TypeError("isinstance() arg 2 must be a type, a tuple of types, or a union");
        var c = LookupAttrOrNull(o, PyStr.S___class__);
        return c != null && AbstractIsSubclass(c, cls);
    }

    /// <summary>issubclass() as CPython's PyObject_IsSubclass (see <see cref="IsInstance"/>).</summary>
    public static bool IsSubclass(PyObject c, PyObject cls)
    {
        if (cls is PyType t && (t.Meta == null || !t.Meta.IsHeap))
            return ReferenceEquals(c, cls) || RealIsSubclass(c, cls);
        if (cls is PyUnionType u) cls = u.ArgsTuple;
        if (cls is PyTuple tup)
        {
            Recursion.Enter(" in __subclasscheck__");
            try { foreach (var x in tup.Items) if (IsSubclass(c, x)) return true; }
            finally { Recursion.Leave(); }
            return false;
        }
        var checker = cls.Type.Lookup(SSubclassCheck);
        if (checker != null)
        {
            Recursion.Enter(" in __subclasscheck__");
            try { return IsTrue(CallPrepend(checker, cls, new[] { c }, null)); }
            finally { Recursion.Leave(); }
        }
        return RealIsSubclass(c, cls);
    }

    /// <summary>type.__subclasscheck__ (CPython's recursive_issubclass): the MRO for classes, __bases__ for class-likes.</summary>
    public static bool RealIsSubclass(PyObject c, PyObject cls)
    {
        if (c is PyType ct && cls is PyType t) return ct.IsSubtypeOf(t);
        if (AbstractBases(c) == null) throw TypeError("issubclass() arg 1 must be a class");
        if (cls is not PyUnionType && AbstractBases(cls) == null) throw TypeError("issubclass() arg 2 must be a class, a tuple of classes, or a union");
        return AbstractIsSubclass(c, cls);
    }

    private static PyTuple? AbstractBases(PyObject o) => LookupAttrOrNull(o, SBases) as PyTuple;

    private static PyObject? LookupAttrOrNull(PyObject o, PyStr name)
    {
        try { return GetAttrOrNull(o, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return null; }
    }

    private static bool AbstractIsSubclass(PyObject derived, PyObject cls)
    {
        while (true)
        {
            if (ReferenceEquals(derived, cls)) return true;
            var bases = AbstractBases(derived);
            if (bases == null || bases.Items.Length == 0) return false;
            if (bases.Items.Length == 1) { derived = bases.Items[0]; continue; }
            Recursion.Enter(" in __issubclass__");
            try { foreach (var b in bases.Items) if (AbstractIsSubclass(b, cls)) return true; }
            finally { Recursion.Leave(); }
            return false;
        }
    }

    // ---------------- repr recursion guard ----------------
    [ThreadStatic] private static HashSet<object>? _reprActive;
    public static bool ReprEnter(PyObject o)
    {
        _reprActive ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        return _reprActive.Add(o);
    }
    public static void ReprLeave(PyObject o) => _reprActive?.Remove(o);

    // ---------------- argument helpers for builtins ----------------
    public static int PosCount(ReadOnlySpan<PyObject> args, PyStr[]? kw) => args.Length - (kw?.Length ?? 0);

    public static PyObject? Arg(ReadOnlySpan<PyObject> args, PyStr[]? kw, int index, string name)
    {
        int npos = args.Length - (kw?.Length ?? 0);
        if (index < npos) return args[index];
        if (kw != null)
            for (int j = 0; j < kw.Length; j++)
                if (kw[j].Value == name) return args[npos + j];
        return null;
    }

    public static void NoKw(PyStr[]? kw, string fname)
    {
        if (kw != null && kw.Length > 0) throw TypeError($"{fname}() takes no keyword arguments");
    }

    public static void ArgCount(ReadOnlySpan<PyObject> args, int min, int max, string fname)
    {
        if (args.Length < min || args.Length > max)
        {
            if (min == max) throw TypeError($"{fname}() takes exactly {min} argument{(min == 1 ? "" : "s")} ({args.Length} given)");
            if (args.Length < min) throw TypeError($"{fname}() takes at least {min} argument{(min == 1 ? "" : "s")} ({args.Length} given)");
            throw TypeError($"{fname}() takes at most {max} argument{(max == 1 ? "" : "s")} ({args.Length} given)");
        }
    }

    public static string TypeName(PyObject o) => o.Type.Name;
}

/// <summary>Iterator for objects that only define __getitem__.</summary>
public sealed class PySeqGetItemIterator : PyObject
{
    public static PyType TypeObj = null!;
    private readonly PyObject _o;
    private long _i;
    public PySeqGetItemIterator(PyObject o) { _o = o; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        try { return Ops.GetItem(_o, PyInt.Get(_i++)); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.IndexErrorType) || e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType)) { return null; }
    }
}

