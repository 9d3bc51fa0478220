using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>
/// A C object in place: address + DWARF type. Structs and unions expose their members as attributes (read and
/// written with C conversions), arrays are sequences; a nested struct or array member is a live reference into
/// the parent (paper §2.3). Attributes that are not members are kept in tied side storage (§2.4).
/// A synthetic array (<c>c.int[10]()</c>) has <see cref="CType"/> = element type and a count.
/// </summary>
public sealed class NativeObject : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_object", PyType.ObjectType, null) { ModuleName = "process" };

    public readonly nint Address;
    /// <summary>Declared type (for a synthetic array: the element type).</summary>
    public readonly CType CType;
    private readonly CType _u;
    private readonly long _synthCount;
    /// <summary>Keeps owned memory alive (an <see cref="Allocation"/> or a call result block); null = C's memory.</summary>
    internal readonly object? Owner;
    public readonly bool IsConst;

    internal NativeObject(nint address, CType type, long synthCount, object? owner, bool isConst)
    {
        Address = address;
        CType = type;
        _u = type.Unqualified;
        _synthCount = synthCount;
        Owner = owner;
        IsConst = isConst;
    }

    internal bool Trusted => Owner != null;
    public bool IsArray => _synthCount >= 0 || _u is ArrayType;
    public bool IsStruct => _synthCount < 0 && _u is StructType;
    public override PyType Type => TypeObj;

    internal CType ElementType => _synthCount >= 0 ? CType : _u is ArrayType a ? a.Inner : CType;
    public long Count => _synthCount >= 0 ? _synthCount : _u is ArrayType a ? a.Count : 1;
    public long ByteSize => IsArray ? Math.Max(0, Count) * Math.Max(0, ElementType.Size) : Math.Max(0, CType.Size);

    internal string TypeText => _synthCount >= 0 ? CType.ToCString("[" + _synthCount + "]") : CType.ToCString();

    // ------------------------------------------------------------------ attributes

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        string n = name.Value;
        if (IsStruct && _u is StructType st && st.TryGetMember(n, out Member m))
            return m.IsBitfield ? NativeValues.ReadBitfield(Address, m, Trusted)
                                : NativeValues.Read(Address + (nint)m.Offset, m.Type, Owner, IsConst);
        if (IsStruct && _u is StructType cst && CxxSupport.ObjectAttribute(Address, cst, n) is PyObject cxx) return cxx; // C++ methods, statics
        if (!IsArray && !IsStruct && n == "value") return NativeValues.Read(Address, CType, Owner, IsConst);
        PyDict? d = TiedStorage.Get(Address, false);
        PyObject? v = d?.GetOrNull(name);
        if (v != null) return v;
        if (n == "__dict__") return TiedStorage.Get(Address, true);
        return Ops.GenericGetAttr(this, name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        string n = name.Value;
        if (IsStruct && _u is StructType st && st.TryGetMember(n, out Member m))
        {
            if (IsConst || CTypes.IsConst(m.Type)) throw ConstError(n);
            string what = TypeText + "." + n;
            if (m.IsBitfield) NativeValues.WriteBitfield(Address, m, value, Trusted, what);
            else NativeValues.Write(Address + (nint)m.Offset, m.Type, value, Owner, what);
            return;
        }
        if (!IsArray && !IsStruct && n == "value")
        {
            if (IsConst) throw ConstError(n);
            NativeValues.Write(Address, CType, value, Owner, TypeText);
            return;
        }
        if (IsStruct && _u is StructType sst && NearMember(sst, n) is string near)
            throw Ops.AttributeError("'" + TypeText + "' has no member '" + n + "' (did you mean '" + near + "'?); a Python attribute of " +
                "another name is kept aside for the object, a near miss of a member is refused");
        TiedStorage.Get(Address, true)!.SetItem(name, value);
    }

    /// <summary>A member whose name <paramref name="n"/> looks like a slip for (same letters in another case, or one
    /// edit away; two for names of six letters or more), so `p.lenght = 3` is an error and not a silent side store.</summary>
    private static string? NearMember(StructType st, string n)
    {
        foreach (Member m in st.Members)
        {
            if (m.Name is not string mn) continue;
            if (string.Equals(mn, n, StringComparison.OrdinalIgnoreCase)) return mn;
            int limit = Math.Min(mn.Length, n.Length) >= 6 ? 2 : 1;
            if (Math.Abs(mn.Length - n.Length) <= limit && Distance(mn, n, limit) <= limit) return mn;
        }
        return null;
    }

    /// <summary>Levenshtein distance, giving up (returning limit + 1) once it exceeds <paramref name="limit"/>.</summary>
    private static int Distance(string a, string b, int limit)
    {
        Span<int> prev = stackalloc int[b.Length + 1], cur = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            int best = cur[0];
            for (int j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                best = Math.Min(best, cur[j]);
            }
            if (best > limit) return limit + 1;
            cur.CopyTo(prev);
        }
        return prev[b.Length];
    }

    public override void DelAttr(PyStr name)
    {
        PyDict? d = TiedStorage.Get(Address, false);
        if (d == null || !d.Remove(name)) throw Ops.AttributeError("'" + TypeText + "' object has no attribute '" + name.Value + "'");
    }

    private PyException ConstError(string field) =>
        Ops.TypeError("cannot assign to '" + field + "': it is const (use process.force(obj) to write anyway)");

    /// <summary>The same object with writes through const allowed.</summary>
    internal NativeObject Forced() => new(Address, CType, _synthCount, Owner, false);

    // ------------------------------------------------------------------ sequence protocol (arrays)

    public override bool HasLen => IsArray;
    public override int Len()
    {
        if (!IsArray) throw Ops.TypeError("object of type '" + TypeText + "' has no len()");
        if (Count < 0) throw Ops.TypeError("flexible array member has no len()");
        return (int)Count;
    }

    private nint ElementAddress(PyObject key)
    {
        if (!IsArray) throw Ops.TypeError("'" + TypeText + "' object is not subscriptable");
        long i = Ops.IndexValue(key);
        long n = Count;
        if (i < 0 && n >= 0) i += n;
        if (i < 0 || n >= 0 && i >= n) throw Ops.IndexError("index out of range for " + TypeText);
        return Address + (nint)(i * ElementType.Size);
    }

    public override PyObject GetItem(PyObject key)
    {
        if (key is PySlice sl && IsArray)
        {
            var items = new List<PyObject>();
            foreach (PyObject o in Ops.ToArray(this)) items.Add(o);
            return new PyList(items.ToArray()).GetItem(sl);
        }
        return NativeValues.Read(ElementAddress(key), ElementType, Owner, IsConst);
    }

    public override void SetItem(PyObject key, PyObject value)
    {
        if (IsConst) throw Ops.TypeError("cannot assign to an element of a const array (use process.force(obj))");
        NativeValues.Write(ElementAddress(key), ElementType, value, Owner, TypeText + "[" + Ops.Repr(key) + "]");
    }

    public override PyObject Iter()
    {
        if (!IsArray) throw Ops.TypeError("'" + TypeText + "' object is not iterable");
        int n = Len();
        var items = new PyObject[n];
        long es = ElementType.Size;
        for (int i = 0; i < n; i++) items[i] = NativeValues.Read(Address + (nint)(i * es), ElementType, Owner, IsConst);
        return new PyList(items).Iter();
    }

    /// <summary>Array assignment from a sequence, or from str/bytes for char arrays.</summary>
    internal void Assign(PyObject v, string what)
    {
        int n = Len();
        CType et = ElementType;
        if (CTypes.IsCharLike(et) && (v is PyStr || v is PyBytes))
        {
            byte[] b = v is PyStr s ? Encoding.UTF8.GetBytes(s.Value) : ((PyBytes)v).Span.ToArray();
            if (b.Length > n) throw Ops.ValueError(what + ": " + b.Length + " bytes do not fit in " + TypeText);
            var buf = new byte[n];
            b.CopyTo(buf, 0);
            Mem.Write(Address, buf, Trusted);
            return;
        }
        PyObject[] items = Ops.ToArray(v);
        if (items.Length > n) throw Ops.ValueError(what + ": " + items.Length + " items do not fit in " + TypeText);
        long es = et.Size;
        for (int i = 0; i < items.Length; i++) NativeValues.Write(Address + (nint)(i * es), et, items[i], Owner, what + "[" + i + "]");
    }

    // ------------------------------------------------------------------ text

    public override string Repr() => GdbFormat.Value(Address, CType, _synthCount, Owner);

    public override string Str()
    {
        if (IsArray && CTypes.IsCharLike(ElementType))
        {
            var b = new byte[Math.Max(0, Count)];
            Mem.Read(Address, b, Trusted);
            int z = Array.IndexOf(b, (byte)0);
            return Encoding.UTF8.GetString(b, 0, z < 0 ? b.Length : z);
        }
        if (!IsArray && !IsStruct) return Ops.Str(NativeValues.Read(Address, CType, Owner, IsConst));
        return Repr();
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        bool eq = other is NativeObject o && o.Address == Address && CTypes.Key(o.CType) == CTypes.Key(CType) ||
                  other is NativePointer p && p.Value == Address;
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }

    public override long Hash() => (long)Address >> 3;
}
