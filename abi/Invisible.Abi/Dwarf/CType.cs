using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Invisible.Abi.Dwarf;

/// <summary>What a <see cref="CType"/> is. One value per sealed subclass (plus struct/union/class).</summary>
public enum CTypeKind : byte
{
    Void, Base, Pointer, Reference, Qualified, Typedef, Struct, Union, Class, Array, Enum, Function, Unknown,
}

/// <summary>
/// A C type from DWARF. Instances are created lazily, cached per DIE by their <see cref="DwarfModule"/>, and
/// compare by reference. <see cref="ToCString()"/> prints C declarator syntax (<c>struct node *</c>,
/// <c>int[16]</c>, <c>char (*)[4]</c>).
/// </summary>
public abstract class CType
{
    private protected CType(DwarfModule? module, ulong dieOffset)
    {
        Module = module;
        DieOffset = dieOffset;
    }

    /// <summary>Module whose DWARF describes this type (null for the synthetic void).</summary>
    public DwarfModule? Module { get; }
    /// <summary>Offset of the DIE in .debug_info (0 for synthetic types).</summary>
    public ulong DieOffset { get; }
    public abstract CTypeKind Kind { get; }
    /// <summary>sizeof in bytes; -1 if unknown or incomplete.</summary>
    public abstract long Size { get; }
    /// <summary>Name as written without declarator: <c>int</c>, <c>struct stat</c>, <c>size_t</c>; null for derived types.</summary>
    public virtual string? Name => null;

    /// <summary>Typedefs and qualifiers removed.</summary>
    public CType Unqualified
    {
        get
        {
            CType t = this;
            for (int guard = 0; guard < 64; guard++)
            {
                if (t is TypedefType td) t = td.Target;
                else if (t is QualifiedType q) t = q.Target;
                else break;
            }
            return t;
        }
    }

    /// <summary>The type in C syntax, e.g. <c>const char *</c>.</summary>
    public string ToCString() => ToCString(null);

    /// <summary>A declaration of <paramref name="declarator"/> with this type, e.g. <c>char (*name)[4]</c>.</summary>
    public string ToCString(string? declarator)
    {
        var sb = new StringBuilder();
        Declare(this, declarator ?? "", sb, 0);
        return sb.ToString();
    }

    public override string ToString() => ToCString();

    private static void Declare(CType t, string inner, StringBuilder sb, int depth)
    {
        if (depth > 64) { sb.Append("..."); return; }
        switch (t)
        {
            case PointerType p:
            {
                string mark = p.Kind == CTypeKind.Reference ? (p.IsRvalue ? "&&" : "&") : "*";
                string ni = mark + inner;
                CType target = p.Target;
                if (target is ArrayType || target is FunctionType) ni = "(" + ni + ")";
                Declare(target, ni, sb, depth + 1);
                return;
            }
            case QualifiedType q:
            {
                if (q.Target is PointerType)
                {
                    Declare(q.Target, inner.Length == 0 ? q.QualifierText : q.QualifierText + " " + inner, sb, depth + 1);
                    return;
                }
                sb.Append(q.QualifierText).Append(' ');
                Declare(q.Target, inner, sb, depth + 1);
                return;
            }
            case ArrayType a:
            {
                var dims = new StringBuilder(inner);
                for (int i = 0; i < a.Dimensions.Count; i++)
                {
                    long n = a.Dimensions[i];
                    dims.Append('[');
                    if (n >= 0) dims.Append(n.ToString(CultureInfo.InvariantCulture));
                    dims.Append(']');
                }
                Declare(a.Element, dims.ToString(), sb, depth + 1);
                return;
            }
            case FunctionType f:
            {
                var ps = new StringBuilder(inner);
                ps.Append('(');
                for (int i = 0; i < f.Parameters.Count; i++)
                {
                    if (i > 0) ps.Append(", ");
                    ps.Append(f.Parameters[i].ToCString());
                }
                if (f.IsVariadic) ps.Append(f.Parameters.Count > 0 ? ", ..." : "...");
                else if (f.Parameters.Count == 0 && f.IsPrototyped) ps.Append("void");
                ps.Append(')');
                Declare(f.ReturnType, ps.ToString(), sb, depth + 1);
                return;
            }
            default:
            {
                sb.Append(t.Name ?? "?");
                if (inner.Length > 0)
                {
                    char c = inner[0];
                    if (c != '[' && c != '(' || inner.StartsWith("(*", StringComparison.Ordinal) || inner.StartsWith("(&", StringComparison.Ordinal)) sb.Append(' ');
                    sb.Append(inner);
                }
                return;
            }
        }
    }
}

/// <summary><c>void</c> (no DIE, or DW_TAG_unspecified_type).</summary>
public sealed class VoidType : CType
{
    public static readonly VoidType Instance = new(null, 0, "void");
    private readonly string _name;
    internal VoidType(DwarfModule? module, ulong off, string name) : base(module, off) { _name = name; }
    public override CTypeKind Kind => CTypeKind.Void;
    public override long Size => -1;
    public override string? Name => _name;
    /// <summary>DW_TAG_unspecified_type, not C's void: what the assembler gives as a function's return type (the type
    /// is not known), and C++'s <c>decltype(nullptr)</c>.</summary>
    public bool IsUnspecified => DieOffset != 0;
}

/// <summary>DWARF base type encodings (DW_ATE_*), the ones C uses.</summary>
public enum BaseEncoding : byte
{
    Unknown = 0, Address = 1, Boolean = 2, ComplexFloat = 3, Float = 4, Signed = 5, SignedChar = 6, Unsigned = 7, UnsignedChar = 8, UTF = 0x10,
}

/// <summary><c>int</c>, <c>unsigned char</c>, <c>double</c>, <c>_Bool</c> …</summary>
public sealed class BaseType : CType
{
    private readonly string _name;
    private readonly long _size;
    internal BaseType(DwarfModule module, ulong off, string name, long size, BaseEncoding encoding) : base(module, off)
    {
        _name = name;
        _size = size;
        Encoding = encoding;
    }
    public override CTypeKind Kind => CTypeKind.Base;
    public override long Size => _size;
    public override string? Name => _name;
    public BaseEncoding Encoding { get; }
    public bool IsSigned => Encoding == BaseEncoding.Signed || Encoding == BaseEncoding.SignedChar;
    public bool IsFloat => Encoding == BaseEncoding.Float;
}

/// <summary>A pointer (or C++ reference). <see cref="Target"/> is <see cref="VoidType"/> for <c>void *</c>.</summary>
public sealed class PointerType : CType
{
    private readonly long _size;
    private readonly bool _isReference;
    internal PointerType(DwarfModule? module, ulong off, long size, bool isReference, bool isRvalue) : base(module, off)
    {
        _size = size;
        _isReference = isReference;
        IsRvalue = isRvalue;
        Target = VoidType.Instance;
    }

    /// <summary>A pointer to <paramref name="target"/> that no DIE describes (<c>T **</c> named in a cast or a cell
    /// when the DWARF has only <c>T *</c>); it belongs to the target's module.</summary>
    public static PointerType To(CType target) => new(target.Module, 0, 8, false, false) { Target = target };
    public override CTypeKind Kind => _isReference ? CTypeKind.Reference : CTypeKind.Pointer;
    public override long Size => _size;
    public CType Target { get; internal set; }
    public bool IsRvalue { get; }
}

/// <summary>const / volatile / restrict / _Atomic applied to <see cref="Target"/>.</summary>
public sealed class QualifiedType : CType
{
    internal QualifiedType(DwarfModule module, ulong off, bool isConst, bool isVolatile, bool isRestrict, bool isAtomic) : base(module, off)
    {
        IsConst = isConst; IsVolatile = isVolatile; IsRestrict = isRestrict; IsAtomic = isAtomic;
        Target = VoidType.Instance;
    }
    public override CTypeKind Kind => CTypeKind.Qualified;
    public override long Size => Target.Size;
    public CType Target { get; internal set; }
    public bool IsConst { get; }
    public bool IsVolatile { get; }
    public bool IsRestrict { get; }
    public bool IsAtomic { get; }
    internal string QualifierText => IsConst ? "const" : IsVolatile ? "volatile" : IsRestrict ? "restrict" : "_Atomic";
}

/// <summary><c>typedef Target Name;</c></summary>
public sealed class TypedefType : CType
{
    private readonly string _name;
    internal TypedefType(DwarfModule module, ulong off, string name) : base(module, off)
    {
        _name = name;
        Target = VoidType.Instance;
    }
    public override CTypeKind Kind => CTypeKind.Typedef;
    public override long Size => Target.Size;
    public override string? Name => _name;
    public CType Target { get; internal set; }
}

/// <summary>One member of a struct/union. Offsets in bytes from the start of the aggregate; bitfields also
/// carry an absolute bit offset (little-endian bit numbering from the aggregate's start).</summary>
public readonly struct Member
{
    public Member(string? name, CType type, long offset, int bitSize, long bitOffset)
    {
        Name = name; Type = type; Offset = offset; BitSize = bitSize; BitOffset = bitOffset;
    }
    /// <summary>Member name; null for an anonymous struct/union member.</summary>
    public string? Name { get; }
    public CType Type { get; }
    /// <summary>Byte offset. For a bitfield: the byte holding its first bit (BitOffset / 8).</summary>
    public long Offset { get; }
    /// <summary>Width in bits for a bitfield; 0 otherwise.</summary>
    public int BitSize { get; }
    /// <summary>Bit offset from the aggregate's start (Offset*8 for ordinary members).</summary>
    public long BitOffset { get; }
    public bool IsBitfield => BitSize > 0;
    public override string ToString() => "+" + Offset.ToString(CultureInfo.InvariantCulture) + " " + Type.ToCString(Name) + (IsBitfield ? " : " + BitSize.ToString(CultureInfo.InvariantCulture) : "");
}

/// <summary>struct / union / class. Members are read from DWARF on first access.</summary>
public sealed class StructType : CType
{
    private readonly CTypeKind _kind;
    private readonly string? _tag;
    private readonly long _size;
    private Member[]? _members;

    internal StructType(DwarfModule module, ulong off, CTypeKind kind, string? tag, long size, bool isDeclaration) : base(module, off)
    {
        _kind = kind; _tag = tag; _size = size; IsDeclaration = isDeclaration;
    }

    public override CTypeKind Kind => _kind;
    public override long Size => _size;
    /// <summary>Tag without keyword (<c>stat</c>); null for an anonymous aggregate.</summary>
    public string? Tag => _tag;
    public override string? Name => Keyword + " " + (_tag ?? "{...}");
    public string Keyword => _kind == CTypeKind.Union ? "union" : _kind == CTypeKind.Class ? "class" : "struct";
    /// <summary>A forward declaration only (incomplete type).</summary>
    public bool IsDeclaration { get; }

    public IReadOnlyList<Member> Members => _members ??= Module!.LoadMembers(DieOffset);

    /// <summary>Members read from the module's signature table (<see cref="SignatureTable"/>), not from libdw.</summary>
    internal void SetMembers(Member[] members) => _members = members;

    /// <summary>Members are known without reading DWARF (read before, or given by the signature table).</summary>
    internal bool MembersLoaded => _members != null;

    private CxxClassInfo? _cxx;
    /// <summary>C++ bases, methods and static members (<see cref="CxxClassInfo"/>; empty for C), read on first use.</summary>
    public CxxClassInfo Cxx => _cxx ??= Module!.LoadClassInfo(this);

    /// <summary>Member by name (anonymous members are searched recursively; offsets then are cumulative).</summary>
    public bool TryGetMember(string name, out Member member)
    {
        IReadOnlyList<Member> ms = Members;
        for (int i = 0; i < ms.Count; i++)
        {
            Member m = ms[i];
            if (m.Name == name) { member = m; return true; }
        }
        for (int i = 0; i < ms.Count; i++)
        {
            Member m = ms[i];
            if (m.Name is null && m.Type.Unqualified is StructType inner && inner.TryGetMember(name, out Member sub))
            {
                member = new Member(sub.Name, sub.Type, m.Offset + sub.Offset, sub.BitSize, m.BitOffset + sub.BitOffset);
                return true;
            }
        }
        // C++: a member of a base class, at the base subobject's offset (virtual bases have none fixed: not found)
        if (Kind != CTypeKind.Union && Module != null)
        {
            IReadOnlyList<BaseClass> bases = Cxx.Bases;
            for (int i = 0; i < bases.Count; i++)
            {
                BaseClass b = bases[i];
                if (!b.IsVirtual && b.Type.TryGetMember(name, out Member sub))
                {
                    member = new Member(sub.Name, sub.Type, b.Offset + sub.Offset, sub.BitSize, b.Offset * 8 + sub.BitOffset);
                    return true;
                }
            }
        }
        member = default;
        return false;
    }

    /// <summary>Multi-line layout: <c>struct stat (144) { +0 __dev_t st_dev; … }</c>.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(Name).Append(" (").Append(Size.ToString(CultureInfo.InvariantCulture)).Append(") {");
        IReadOnlyList<Member> ms = Members;
        for (int i = 0; i < ms.Count; i++) sb.Append(' ').Append(ms[i].ToString()).Append(';');
        sb.Append(" }");
        return sb.ToString();
    }
}

/// <summary>An array; <see cref="Dimensions"/> outermost first, -1 for an unknown bound (flexible array member).</summary>
public sealed class ArrayType : CType
{
    internal ArrayType(DwarfModule module, ulong off, CType element, long[] dims) : base(module, off)
    {
        Element = element;
        _dims = dims;
    }
    private readonly long[] _dims;
    internal long[] DimensionArray => _dims;
    public override CTypeKind Kind => CTypeKind.Array;
    public CType Element { get; }
    public IReadOnlyList<long> Dimensions => _dims;
    /// <summary>Outermost bound, -1 if unknown/flexible.</summary>
    public long Count => _dims.Length > 0 ? _dims[0] : -1;
    public bool IsFlexible => Count < 0;
    public override long Size
    {
        get
        {
            long es = Element.Size;
            if (es < 0) return -1;
            long n = es;
            for (int i = 0; i < _dims.Length; i++)
            {
                if (_dims[i] < 0) return -1;
                n *= _dims[i];
            }
            return n;
        }
    }
    /// <summary>The element type one dimension down (for int[2][3] → int[3]).</summary>
    public CType Inner => _dims.Length <= 1 ? Element : new ArrayType(Module!, 0, Element, _dims[1..]);
}

/// <summary>One enumerator.</summary>
public readonly struct Enumerator
{
    public Enumerator(string name, long value) { Name = name; Value = value; }
    public string Name { get; }
    public long Value { get; }
    public override string ToString() => Name + " = " + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>enum tag { … }</c>.</summary>
public sealed class EnumType : CType
{
    private readonly string? _tag;
    private readonly long _size;
    private readonly Enumerator[] _values;
    internal EnumType(DwarfModule module, ulong off, string? tag, long size, Enumerator[] values, CType? underlying, bool isDeclaration) : base(module, off)
    {
        _tag = tag; _size = size; _values = values; Underlying = underlying; IsDeclaration = isDeclaration;
    }
    public override CTypeKind Kind => CTypeKind.Enum;
    public override long Size => _size;
    public string? Tag => _tag;
    public override string? Name => "enum " + (_tag ?? "{...}");
    public IReadOnlyList<Enumerator> Values => _values;
    /// <summary>DW_AT_type of the enum when the compiler gives it (gcc ≥ 5 with DWARF 3+).</summary>
    public CType? Underlying { get; }
    public bool IsDeclaration { get; }

    public bool TryGetValue(string name, out long value)
    {
        for (int i = 0; i < _values.Length; i++)
            if (_values[i].Name == name) { value = _values[i].Value; return true; }
        value = 0;
        return false;
    }
}

/// <summary>A function type (DW_TAG_subroutine_type or a subprogram's signature).</summary>
public sealed class FunctionType : CType
{
    private readonly CType[] _params;
    internal FunctionType(DwarfModule? module, ulong off, CType returnType, CType[] parameters, bool isVariadic, bool isPrototyped) : base(module, off)
    {
        ReturnType = returnType; _params = parameters; IsVariadic = isVariadic; IsPrototyped = isPrototyped;
    }
    public override CTypeKind Kind => CTypeKind.Function;
    public override long Size => -1;
    public CType ReturnType { get; }
    public IReadOnlyList<CType> Parameters => _params;
    public bool IsVariadic { get; }
    public bool IsPrototyped { get; }
}

/// <summary>A DIE we do not model (e.g. a pointer-to-member); carries the DWARF tag.</summary>
public sealed class UnknownType : CType
{
    internal UnknownType(DwarfModule module, ulong off, int tag, long size) : base(module, off) { Tag = tag; _size = size; }
    private readonly long _size;
    public int Tag { get; }
    public override CTypeKind Kind => CTypeKind.Unknown;
    public override long Size => _size;
    public override string? Name => "<tag 0x" + Tag.ToString("x", CultureInfo.InvariantCulture) + ">";
}
