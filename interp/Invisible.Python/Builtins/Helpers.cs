using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>An iterator backed by a C# enumerator (enumerate, zip, map, ... and module iterators).</summary>
public sealed class PyIterWrapper : PyObject
{
    private readonly PyType _type;
    private readonly IEnumerator<PyObject> _e;
    private bool _done;
    public PyIterWrapper(PyType type, IEnumerable<PyObject> e) { _type = type; _e = e.GetEnumerator(); }
    public override PyType Type => _type;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_done) return null;
        if (_e.MoveNext()) return _e.Current;
        _done = true;
        return null;
    }
}

/// <summary>super(type, obj): attribute lookup starting after type in obj's MRO.</summary>
public sealed class PySuper : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyType Start;
    public readonly PyObject Obj;
    public PySuper(PyType start, PyObject obj) { Start = start; Obj = obj; }
    public override PyType Type => TypeObj;
    public override string Repr() => $"<super: <class '{Start.Name}'>, <{Obj.Type.Name} object>>";
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        var objType = Obj as PyType;
        var mroOwner = objType != null && objType.IsSubtypeOf(Start) ? objType : Obj.Type;
        var mro = mroOwner.Mro;
        int i = Array.IndexOf(mro, Start);
        for (int k = i + 1; k < mro.Length; k++)
        {
            var v = mro[k].TypeDict.GetOrNull(name);
            if (v == null) continue;
            switch (v)
            {
                case PyFunction: return objType != null && objType == mroOwner ? v : new PyBoundMethod(Obj, v);
                case PyBuiltinFunction bf:
                    if (name.Value == "__new__") return v;
                    return bf.IsMethod && !(objType != null && objType == mroOwner) ? new PyBoundMethod(Obj, v) : v;
                case PyClassMethod cm: return new PyBoundMethod(objType ?? Obj.Type, cm.Func);
                case PyStaticMethod sm: return sm.Func;
                case PyProperty p: return p.Get != null ? Ops.CallArgs(p.Get, Obj) : throw Ops.AttributeError("unreadable attribute");
            }
            if (v.Type.IsHeap)
            {
                var g = v.Type.Lookup(PyStr.S___get__);
                if (g != null) return Ops.CallArgs(g, v, Obj, mroOwner);
            }
            return v;
        }
        if (name.Value == "__class__") return TypeObj;
        return null;
    }
}

public static class ArgHelp
{
    public static string Str(PyObject o, string fname)
    {
        if (o is PyStr s) return s.Value;
        throw Ops.TypeError($"{fname}() argument must be str, not {o.Type.Name}");
    }
    public static long Int(PyObject o) => Ops.IndexValue(o);
}
