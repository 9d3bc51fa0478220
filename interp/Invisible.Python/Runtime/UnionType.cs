using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary><c>types.UnionType</c> (CPython's Objects/unionobject.c): <c>int | str</c>. Only classes, None, generic
/// aliases and unions combine (anything else is NotImplemented, so typing's forms can answer); nested unions
/// flatten, None becomes NoneType, duplicates go (generic aliases by equality, the rest by identity), and a
/// single remaining argument is the result itself. Equality and hash ignore the order.</summary>
public sealed class PyUnionType : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject[] Args;
    private PyTuple? _argsTuple, _parameters;
    private PyUnionType(PyObject[] args) { Args = args; }
    public override PyType Type => TypeObj;

    public PyTuple ArgsTuple => _argsTuple ??= new PyTuple(Args);
    public PyTuple Parameters => _parameters ??= TypeParams.MakeParameters(ArgsTuple);

    private static bool IsUnionable(PyObject o) => o == PyNone.Instance || o is PyType || o is PyGenericAlias || o is PyUnionType;

    /// <summary><c>a | b</c> for classes, aliases and unions; null (NotImplemented) for anything else.</summary>
    public static PyObject? Or(PyObject a, PyObject b)
    {
        if (!IsUnionable(a) || !IsUnionable(b)) return null;
        return Make(new[] { a, b });
    }

    private static PyObject Make(PyObject[] args)
    {
        var flat = new List<PyObject>(args.Length);
        foreach (var a in args)
        {
            if (a is PyUnionType u) flat.AddRange(u.Args);
            else flat.Add(a == PyNone.Instance ? PyNone.TypeObj : a);
        }
        var unique = new List<PyObject>(flat.Count);
        foreach (var x in flat)
        {
            bool dup = false;
            foreach (var y in unique)
            {
                dup = x is PyGenericAlias && y is PyGenericAlias ? Ops.Eq(x, y) : ReferenceEquals(x, y);
                if (dup) break;
            }
            if (!dup) unique.Add(x);
        }
        if (unique.Count == 1) return unique[0];
        return new PyUnionType(unique.ToArray());
    }

    public override string Repr()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Args.Length; i++)
        {
            if (i > 0) sb.Append(" | ");
            sb.Append(Args[i] == PyNone.TypeObj ? "None" : TypeParams.ReprItem(Args[i]));
        }
        return sb.ToString();
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        // typing asks a union for its __module__: the class's
        if (name.Value == "__module__") return Ops.GetAttrOrNull(TypeObj, name);
        return base.GetAttrOrNull(name);
    }

    public override PyObject GetItem(PyObject key)
    {
        var newArgs = TypeParams.SubstituteParameters(this, ArgsTuple, Parameters, key).Items;
        if (newArgs.Length == 0) return Make(newArgs);
        var res = newArgs[0];
        for (int i = 1; i < newArgs.Length; i++) res = Ops.BinaryOp(res, newArgs[i], Runtime.BinOp.Or);
        return res;
    }

    public override long Hash() => new PySet(true, ArgsTuple).Hash();

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyUnionType b || (op != CmpOp.Eq && op != CmpOp.Ne)) return null;
        bool eq = Ops.Eq(new PySet(true, ArgsTuple), new PySet(true, b.ArgsTuple));
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }

    public override PyObject? BinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? Or(this, other) : null;
    public override PyObject? RBinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? Or(other, this) : null;

    private static PyUnionType Self(ReadOnlySpan<PyObject> a, string method)
        => a.Length > 0 && a[0] is PyUnionType u ? u : throw Ops.TypeError($"descriptor '{method}' requires a 'types.UnionType' object");

    public static void InitType()
    {
        var t = TypeObj = new PyType("UnionType", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create 'types.UnionType' instances")) { ModuleName = "types" };
        t.SetMember("__module__", new PyStr("types"));
        t.SetMember("__doc__", new PyStr("Represent a PEP 604 union type\n\nE.g. for int | str"));
        t.SetMember("__args__", new PyProperty(new PyBuiltinFunction("__args__", (a, k) => Self(a, "__args__").ArgsTuple), null, null, PyNone.Instance));
        t.SetMember("__parameters__", new PyProperty(new PyBuiltinFunction("__parameters__", (a, k) => Self(a, "__parameters__").Parameters), null, null, PyNone.Instance));
        t.AddMethod("__getitem__", (a, k) => Self(a, "__getitem__").GetItem(a[1]));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(Self(a, "__repr__").Repr()));
        t.AddMethod("__hash__", (a, k) => PyInt.Get(Self(a, "__hash__").Hash()));
        t.AddMethod("__eq__", (a, k) => Self(a, "__eq__").RichCompare(a[1], CmpOp.Eq) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ne__", (a, k) => Self(a, "__ne__").RichCompare(a[1], CmpOp.Ne) ?? PyNotImplementedType.Instance);
        t.AddMethod("__or__", (a, k) => Or(a[0], a[1]) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ror__", (a, k) => Or(a[1], a[0]) ?? PyNotImplementedType.Instance);
    }
}
