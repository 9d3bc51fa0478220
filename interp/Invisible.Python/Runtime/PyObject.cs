using System;
using System.Runtime.CompilerServices;

namespace Invisible.Python.Runtime;

public enum BinOp { Add, Sub, Mul, MatMul, TrueDiv, FloorDiv, Mod, Pow, LShift, RShift, And, Or, Xor }
public enum CmpOp { Lt, Le, Eq, Ne, Gt, Ge }
public enum UnOp { Neg, Pos, Invert }

/// <summary>Base of every Python object. The virtual methods are the *builtin* behaviour of the
/// object's C# class; Python-level overrides (dunder methods on heap classes) are dispatched by
/// <see cref="Ops"/> before these are consulted. A native bridge subclass overrides them directly.</summary>
public abstract class PyObject
{
    public abstract PyType Type { get; }

    /// <summary>Instance attribute dictionary, if the object has one.</summary>
    public virtual PyDict? Dict => null;

    public virtual PyObject? GetAttrOrNull(PyStr name) => Ops.GenericGetAttr(this, name);
    public virtual void SetAttr(PyStr name, PyObject value) => Ops.GenericSetAttr(this, name, value);
    public virtual void DelAttr(PyStr name) => Ops.GenericDelAttr(this, name);

    public virtual PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        => throw Ops.TypeError($"'{Type.Name}' object is not callable");
    public virtual bool IsCallable => false;

    public virtual PyObject GetItem(PyObject key)
        => throw Ops.TypeError($"'{Type.Name}' object is not subscriptable");
    public virtual void SetItem(PyObject key, PyObject value)
        => throw Ops.TypeError($"'{Type.Name}' object does not support item assignment");
    public virtual void DelItem(PyObject key)
        => throw Ops.TypeError($"'{Type.Name}' object does not support item deletion");

    public virtual PyObject Iter() => throw Ops.TypeError($"'{Type.Name}' object is not iterable");
    /// <summary>Next item, or null when exhausted.</summary>
    public virtual PyObject? Next() => throw Ops.TypeError($"'{Type.Name}' object is not an iterator");

    public virtual string Repr() => Type.ModuleName == null || Type.ModuleName == "builtins" ? $"<{Type.QualName} object at 0x{Ops.Id(this):x}>" : $"<{Type.ModuleName}.{Type.QualName} object at 0x{Ops.Id(this):x}>";
    public virtual string Str() => Repr();
    public virtual bool IsTrue() => true;
    public virtual bool HasLen => false;
    public virtual int Len() => throw Ops.TypeError($"object of type '{Type.Name}' has no len()");
    public virtual long Hash() => Ops.Id(this) >> 4;
    public virtual bool Hashable => true;

    /// <summary>Rich comparison; null = NotImplemented.</summary>
    public virtual PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op == CmpOp.Eq) return ReferenceEquals(this, other) ? PyBool.True : null;
        if (op == CmpOp.Ne) return ReferenceEquals(this, other) ? PyBool.False : null;
        return null;
    }
    /// <summary>Binary operator with this object on the left; null = NotImplemented.</summary>
    public virtual PyObject? BinOp(BinOp op, PyObject other) => null;
    /// <summary>Reflected binary operator (this object on the right); null = NotImplemented.</summary>
    public virtual PyObject? RBinOp(BinOp op, PyObject other) => null;
    /// <summary>In-place operator; null = fall back to the binary operator.</summary>
    public virtual PyObject? InplaceOp(BinOp op, PyObject other) => null;
    public virtual PyObject? UnaryOp(UnOp op) => null;
    /// <summary>Membership test; null = fall back to iteration.</summary>
    public virtual bool? Contains(PyObject item) => null;

    public override string ToString() => Repr();
}

/// <summary>The C# exception that carries a Python exception through the host stack.</summary>
public sealed class PyException : Exception
{
    public readonly PyBaseException Value;
    public PyException(PyBaseException value) : base(null) { Value = value; }
    public override string Message => Value.Type.Name + ": " + Value.Str();
}

public sealed class PyNone : PyObject
{
    public static readonly PyNone Instance = new();
    public static PyType TypeObj = null!;
    private PyNone() { }
    public override PyType Type => TypeObj;
    public override string Repr() => "None";
    public override bool IsTrue() => false;
    public override long Hash() => 0x5f3759df;
}

public sealed class PyNotImplementedType : PyObject
{
    public static readonly PyNotImplementedType Instance = new();
    public static PyType TypeObj = null!;
    public override PyType Type => TypeObj;
    public override string Repr() => "NotImplemented";
}

public sealed class PyEllipsis : PyObject
{
    public static readonly PyEllipsis Instance = new();
    public static PyType TypeObj = null!;
    public override PyType Type => TypeObj;
    public override string Repr() => "Ellipsis";
}

/// <summary>Instance of a user-defined class deriving (only) from object.</summary>
public sealed class PyInstance : PyObject
{
    private readonly PyType _type;
    private PyDict? _dict;
    /// <summary>Values of the __slots__ members (<see cref="PyType.SlotCount"/>), made on first store.</summary>
    public PyObject?[]? SlotValues;
    public PyInstance(PyType type) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ?? (_type.NoInstanceDict ? null : _dict = _type.InstanceKeys is { } keys ? new PyDict(keys) : new PyDict());
    public PyDict? RawDict => _dict;
    /// <summary><c>obj.__dict__ = d</c>: the instance's attributes are <paramref name="d"/> itself from now on.</summary>
    public void ReplaceDict(PyDict d) => _dict = d;
}

/// <summary>Plain <c>object()</c>.</summary>
public sealed class PyBareObject : PyObject
{
    public override PyType Type => PyType.ObjectType;
}

public sealed class PyCell : PyObject
{
    public static PyType TypeObj = null!;
    public PyObject? Value;
    public PyCell(PyObject? v = null) { Value = v; }
    public override PyType Type => TypeObj;
    public override string Repr() => Value == null ? $"<cell at 0x{Ops.Id(this):x}: empty>" : $"<cell at 0x{Ops.Id(this):x}: {Value.Type.Name} object at 0x{Ops.Id(Value):x}>";
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (name.Value == "cell_contents") return Value ?? throw Ops.ValueError("Cell is empty");
        return base.GetAttrOrNull(name);
    }
    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value == "cell_contents") { Value = value; return; }
        base.SetAttr(name, value);
    }
    public override void DelAttr(PyStr name)
    {
        if (name.Value == "cell_contents") { Value = null; return; }
        base.DelAttr(name);
    }
}

internal static class IdTable
{
    private static readonly ConditionalWeakTable<PyObject, object> Ids = new();
    private static long _next = 0x7f0000001000;
    public static long Get(PyObject o)
    {
        if (Ids.TryGetValue(o, out var v)) return (long)v;
        long id = System.Threading.Interlocked.Add(ref _next, 48);
        Ids.AddOrUpdate(o, id);
        return id;
    }
}
