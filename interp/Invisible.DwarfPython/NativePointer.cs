using System;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>A non-NULL C pointer (NULL is None). Attribute access follows it (<c>p.next.value</c>), <c>p[i]</c>
/// indexes, <c>p + n</c> is pointer arithmetic; a <c>char *</c> converts with <c>str()</c>/<c>bytes()</c>.</summary>
public sealed class NativePointer : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_pointer", PyType.ObjectType, null) { ModuleName = "process" };

    public readonly nint Value;
    /// <summary>The pointee type as declared (qualifiers kept: a pointer to const refuses writes).</summary>
    public readonly CType Target;
    public readonly bool IsConst;
    private BlockBounds _block; // the live block Value points into, found on the first index (BlockChecks)

    internal NativePointer(nint value, CType target, bool isConst)
    {
        Value = value;
        Target = target;
        IsConst = isConst;
    }

    public override PyType Type => TypeObj;

    /// <summary>The pointee as an object in place.</summary>
    internal NativeObject Deref()
    {
        if (Target.Unqualified is VoidType) throw Ops.TypeError("cannot dereference a void * (use process.cast)");
        return new NativeObject(Value, Target, -1, null, IsConst);
    }

    private long ElementSize
    {
        get
        {
            long s = Target.Size;
            if (s <= 0) throw Ops.TypeError("cannot index a pointer to incomplete type " + Target.ToCString());
            return s;
        }
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (Target.Unqualified is StructType st && st.TryGetMember(name.Value, out _)) return Deref().GetAttrOrNull(name);
        if (Target.Unqualified is StructType cst && CxxSupport.ObjectAttribute(Value, cst, name.Value) is PyObject cxx) return cxx; // C++ methods, statics
        if (Target.Unqualified is StructType && !name.Value.StartsWith("__", StringComparison.Ordinal))
        {
            PyObject? tied = TiedStorage.Get(Value, false)?.GetOrNull(name);
            if (tied != null) return tied;
        }
        return Ops.GenericGetAttr(this, name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (Target.Unqualified is StructType) { Deref().SetAttr(name, value); return; }
        throw Ops.AttributeError("'" + CTypes.PointerTo(Target) + "' object has no attribute '" + name.Value + "'");
    }

    public override PyObject GetItem(PyObject key)
    {
        long i = Ops.IndexValue(key);
        long size = ElementSize;
        BlockChecks.ElementInBlock(Value, i, size, Target, write: false, ref _block);
        return NativeValues.Read(Value + (nint)(i * size), Target, null, IsConst);
    }

    public override void SetItem(PyObject key, PyObject value)
    {
        if (IsConst) throw Ops.TypeError("cannot assign through a pointer to const (use process.force(ptr))");
        long i = Ops.IndexValue(key);
        long size = ElementSize;
        BlockChecks.ElementInBlock(Value, i, size, Target, write: true, ref _block);
        NativeValues.Write(Value + (nint)(i * size), Target, value, null, CTypes.PointerTo(Target) + "[" + i + "]");
    }

    /// <summary>A <c>char *</c> iterates over its bytes up to the NUL (so <c>bytes(p)</c> works).</summary>
    public override PyObject Iter()
    {
        if (!CTypes.IsCharLike(Target)) throw Ops.TypeError("'" + CTypes.PointerTo(Target) + "' object is not iterable (index it)");
        byte[] b = ReadCBytes();
        var items = new PyObject[b.Length];
        for (int i = 0; i < b.Length; i++) items[i] = PyInt.Get(b[i]);
        return new PyList(items).Iter();
    }

    internal byte[] ReadCBytes()
    {
        BlockChecks.NotFreed(Value, write: false);
        if (!SafeMemory.TryReadCString(Value, out string? s) || s == null) throw Mem.Fault(Value, 1, false);
        return Encoding.UTF8.GetBytes(s);
    }

    public override string Str()
    {
        if (CTypes.IsCharLike(Target))
        {
            BlockChecks.NotFreed(Value, write: false);
            if (!SafeMemory.TryReadCString(Value, out string? s) || s == null) throw Mem.Fault(Value, 1, false);
            return s;
        }
        return Repr();
    }

    public override string Repr() => GdbFormat.TopPointer(Value, Target);
    public override bool IsTrue() => Value != 0;

    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (other is PyInt i && (op == Python.Runtime.BinOp.Add || op == Python.Runtime.BinOp.Sub))
        {
            long d = i.V * ElementSize;
            return new NativePointer(op == Python.Runtime.BinOp.Add ? Value + (nint)d : Value - (nint)d, Target, IsConst);
        }
        if (other is NativePointer p && op == Python.Runtime.BinOp.Sub) return PyInt.Get((long)(Value - p.Value) / ElementSize);
        return null;
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        nint o;
        if (other is NativePointer p) o = p.Value;
        else if (other is NativeObject no) o = no.Address;
        else return op == CmpOp.Eq ? PyBool.False : op == CmpOp.Ne ? PyBool.True : null;
        bool r = op switch
        {
            CmpOp.Eq => Value == o,
            CmpOp.Ne => Value != o,
            CmpOp.Lt => (ulong)Value < (ulong)o,
            CmpOp.Le => (ulong)Value <= (ulong)o,
            CmpOp.Gt => (ulong)Value > (ulong)o,
            _ => (ulong)Value >= (ulong)o,
        };
        return PyBool.Of(r);
    }

    public override long Hash() => (long)Value >> 3;
}
