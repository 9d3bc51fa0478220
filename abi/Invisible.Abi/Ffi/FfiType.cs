using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Invisible.Abi.Dwarf;
using NMem = System.Runtime.InteropServices.NativeMemory;

namespace Invisible.Abi.Ffi;

/// <summary>How a value of an <see cref="FfiType"/> travels through libffi (SysV x86-64).</summary>
public enum FfiTypeKind : byte
{
    Void, Bool, SInt8, UInt8, SInt16, UInt16, SInt32, UInt32, SInt64, UInt64, Float, Double, LongDouble, Pointer,
    /// <summary>A struct or union passed by value (see <see cref="FfiType.IsUnion"/>).</summary>
    Struct,
}

/// <summary>
/// A C type as libffi sees it: the kind, size and alignment, the native <c>ffi_type</c>, and what the argument
/// checks need (C spelling for messages, char-pointer-ness, enumerators, the aggregate identity).
/// Built from DWARF by <see cref="For(CType)"/> (cached per <see cref="CType"/> instance) or taken from the
/// built-ins. Struct/union descriptors are built once and live as long as the <see cref="FfiType"/>.
/// </summary>
/// <remarks>
/// Aggregates by value: a struct whose members sit at their natural offsets is mirrored member by member
/// (nested aggregates as nested <c>ffi_type</c>s, arrays expanded to repeated elements), which is what libffi
/// expects. Unions, bitfields and packed layouts cannot be described that way, so for them we run the SysV
/// eightbyte classification ourselves on the DWARF layout and give libffi a stand-in element list that classifies
/// identically (INTEGER eightbyte → <c>uint64</c>/bytes, SSE → <c>double</c>/<c>float</c>, MEMORY → a nested
/// blob libffi always passes in memory), with the true size and alignment preset so libffi copies the right bytes.
/// </remarks>
public sealed unsafe class FfiType
{
    private FfiType(FfiTypeKind kind, int size, int alignment, string name, FfiTypeNative* native, CType? ctype)
    {
        Kind = kind; Size = size; Alignment = alignment; Name = name; Native = native; CType = ctype;
    }

    public FfiTypeKind Kind { get; }
    /// <summary>sizeof (0 for void).</summary>
    public int Size { get; }
    public int Alignment { get; }
    /// <summary>C spelling for messages: <c>int</c>, <c>size_t</c>, <c>const char *</c>, <c>struct point</c>.</summary>
    public string Name { get; }
    /// <summary>The DWARF type this was built from; null for built-ins.</summary>
    public CType? CType { get; }
    /// <summary>Pointer to char / signed char / unsigned char: a <c>str</c> argument is passed as UTF-8 text.</summary>
    public bool IsCharPointer { get; private init; }
    /// <summary>Pointer to a function type.</summary>
    public bool IsFunctionPointer { get; private init; }
    /// <summary>Pointer to void (any pointer-ish argument is accepted).</summary>
    public bool IsVoidPointer { get; private init; }
    /// <summary>For a pointer: the pointee as a descriptor when it is a struct/union (passing a struct value passes its address).</summary>
    public string? PointeeAggregate { get; private init; }
    /// <summary>The enum when this is an enumeration type.</summary>
    public EnumType? Enum { get; private init; }
    /// <summary>Union (a <see cref="FfiTypeKind.Struct"/> kind).</summary>
    public bool IsUnion { get; private init; }
    /// <summary>Identity of an aggregate for argument checks (<c>struct point</c>); two DWARF copies of the same
    /// struct from different units compare equal by this key and <see cref="Size"/>.</summary>
    public string? AggregateKey { get; private init; }
    /// <summary>True when the layout was described to libffi by classification rather than member by member.</summary>
    public bool IsClassifiedLayout { get; private init; }

    internal FfiTypeNative* Native { get; }

    public bool IsInteger => Kind >= FfiTypeKind.Bool && Kind <= FfiTypeKind.UInt64;
    public bool IsFloatingPoint => Kind >= FfiTypeKind.Float && Kind <= FfiTypeKind.LongDouble;
    public bool IsSigned => Kind is FfiTypeKind.SInt8 or FfiTypeKind.SInt16 or FfiTypeKind.SInt32 or FfiTypeKind.SInt64;
    public bool IsStruct => Kind == FfiTypeKind.Struct;

    /// <summary>Smallest and largest value an integer kind holds (bool: 0..1).</summary>
    internal void IntegerRange(out long min, out ulong max)
    {
        switch (Kind)
        {
            case FfiTypeKind.Bool: min = 0; max = 1; return;
            case FfiTypeKind.SInt8: min = sbyte.MinValue; max = (ulong)sbyte.MaxValue; return;
            case FfiTypeKind.UInt8: min = 0; max = byte.MaxValue; return;
            case FfiTypeKind.SInt16: min = short.MinValue; max = (ulong)short.MaxValue; return;
            case FfiTypeKind.UInt16: min = 0; max = ushort.MaxValue; return;
            case FfiTypeKind.SInt32: min = int.MinValue; max = int.MaxValue; return;
            case FfiTypeKind.UInt32: min = 0; max = uint.MaxValue; return;
            case FfiTypeKind.SInt64: min = long.MinValue; max = long.MaxValue; return;
            default: min = 0; max = ulong.MaxValue; return;
        }
    }

    public override string ToString() => Name;

    // ------------------------------------------------------------------ built-ins

    private static FfiType Builtin(FfiTypeKind kind, int size, string name, string export) =>
        new(kind, size, size == 0 ? 1 : size, name, LibFfi.Export(export), null);

    public static readonly FfiType Void = Builtin(FfiTypeKind.Void, 0, "void", "ffi_type_void");
    public static readonly FfiType Bool = Builtin(FfiTypeKind.Bool, 1, "_Bool", "ffi_type_uint8");
    public static readonly FfiType SInt8 = Builtin(FfiTypeKind.SInt8, 1, "signed char", "ffi_type_sint8");
    public static readonly FfiType UInt8 = Builtin(FfiTypeKind.UInt8, 1, "unsigned char", "ffi_type_uint8");
    public static readonly FfiType Char = Builtin(FfiTypeKind.SInt8, 1, "char", "ffi_type_sint8");
    public static readonly FfiType SInt16 = Builtin(FfiTypeKind.SInt16, 2, "short", "ffi_type_sint16");
    public static readonly FfiType UInt16 = Builtin(FfiTypeKind.UInt16, 2, "unsigned short", "ffi_type_uint16");
    public static readonly FfiType SInt32 = Builtin(FfiTypeKind.SInt32, 4, "int", "ffi_type_sint32");
    public static readonly FfiType UInt32 = Builtin(FfiTypeKind.UInt32, 4, "unsigned int", "ffi_type_uint32");
    public static readonly FfiType SInt64 = Builtin(FfiTypeKind.SInt64, 8, "long", "ffi_type_sint64");
    public static readonly FfiType UInt64 = Builtin(FfiTypeKind.UInt64, 8, "unsigned long", "ffi_type_uint64");
    public static readonly FfiType Float = Builtin(FfiTypeKind.Float, 4, "float", "ffi_type_float");
    public static readonly FfiType Double = Builtin(FfiTypeKind.Double, 8, "double", "ffi_type_double");
    public static readonly FfiType LongDouble = new(FfiTypeKind.LongDouble, 16, 16, "long double", LibFfi.Export("ffi_type_longdouble"), null);
    public static readonly FfiType Pointer = new(FfiTypeKind.Pointer, 8, 8, "void *", LibFfi.Export("ffi_type_pointer"), null) { IsVoidPointer = true };
    /// <summary><c>const char *</c>: accepts <c>str</c>.</summary>
    public static readonly FfiType CharPointer = new(FfiTypeKind.Pointer, 8, 8, "const char *", LibFfi.Export("ffi_type_pointer"), null) { IsCharPointer = true };
    /// <summary>A function pointer without a known prototype.</summary>
    public static readonly FfiType FunctionPointer = new(FfiTypeKind.Pointer, 8, 8, "void (*)()", LibFfi.Export("ffi_type_pointer"), null) { IsFunctionPointer = true };

    /// <summary>For a function pointer parsed from a signature string with a full prototype: the pointee's
    /// signature (what a callback passed there is called with). Null otherwise (DWARF types carry theirs in
    /// <see cref="CType"/>).</summary>
    public FfiSignature? PointeeSignature { get; private init; }

    /// <summary>A pointer to a function of that prototype, spelled as C does: <c>int (*)(void *, int)</c>.</summary>
    public static FfiType FunctionPointerTo(FfiSignature pointee)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(pointee.ReturnType.Name).Append(" (*)(");
        for (int i = 0; i < pointee.FixedCount; i++) sb.Append(i > 0 ? ", " : "").Append(pointee.Parameters[i].Name);
        if (pointee.IsVariadic) sb.Append(pointee.FixedCount > 0 ? ", ..." : "...");
        else if (pointee.FixedCount == 0) sb.Append("void");
        sb.Append(')');
        return new FfiType(FfiTypeKind.Pointer, 8, 8, sb.ToString(), Pointer.Native, null) { IsFunctionPointer = true, PointeeSignature = pointee };
    }

    /// <summary>The built-in integer type of a size and signedness.</summary>
    public static FfiType Integer(int size, bool signed) => size switch
    {
        1 => signed ? SInt8 : UInt8,
        2 => signed ? SInt16 : UInt16,
        4 => signed ? SInt32 : UInt32,
        8 => signed ? SInt64 : UInt64,
        _ => throw new FfiException(FfiErrorKind.Unsupported, "no " + (size * 8).ToString(System.Globalization.CultureInfo.InvariantCulture) + "-bit integer type in libffi"),
    };

    /// <summary>An incomplete or non-value type (opaque struct, FILE, a function type) known only by name: usable
    /// behind a pointer, never by value. Its <see cref="Kind"/> is <see cref="FfiTypeKind.Void"/>.</summary>
    public bool IsOpaque { get; private init; }

    /// <summary>Same type, another C spelling (typedef names in messages).</summary>
    internal static FfiType WithName(FfiType t, string name) => t.Renamed(name, t.CType);

    /// <summary>An opaque type: only its name is known.</summary>
    internal static FfiType Opaque(string name, string? aggregateKey, CType? ctype) =>
        new(FfiTypeKind.Void, 0, 1, name, Void.Native, ctype) { IsOpaque = true, AggregateKey = aggregateKey };

    /// <summary>A pointer to <paramref name="pointee"/> (for signature strings).</summary>
    public static FfiType PointerTo(FfiType pointee)
    {
        string n = pointee.Name.EndsWith('*') ? pointee.Name + "*" : pointee.Name + " *";
        return new FfiType(FfiTypeKind.Pointer, 8, 8, n, Pointer.Native, null)
        {
            IsCharPointer = pointee.Kind is FfiTypeKind.SInt8 or FfiTypeKind.UInt8,
            IsVoidPointer = pointee.Kind == FfiTypeKind.Void && !pointee.IsOpaque,
            IsFunctionPointer = pointee.IsFunctionPointer && pointee.Kind != FfiTypeKind.Pointer,
            PointeeAggregate = pointee.AggregateKey,
        };
    }

    /// <summary>Like <see cref="For(CType)"/>, but an incomplete struct/enum or a function type gives an opaque
    /// descriptor instead of an error (it may still appear behind a pointer).</summary>
    internal static FfiType ForDeclaration(CType type)
    {
        try { return For(type); }
        catch (FfiException)
        {
            CType u = type.Unqualified;
            string? key = u is StructType s ? AggregateKeyOf(s, type) : null;
            return Opaque(type.ToCString(), key, type);
        }
    }

    /// <summary>A copy of a scalar/pointer type with another C spelling (typedef names in messages).</summary>
    private FfiType Renamed(string name, CType? ctype) => new(Kind, Size, Alignment, name, Native, ctype)
    {
        IsCharPointer = IsCharPointer, IsFunctionPointer = IsFunctionPointer, IsVoidPointer = IsVoidPointer,
        PointeeAggregate = PointeeAggregate, Enum = Enum, IsUnion = IsUnion, AggregateKey = AggregateKey,
        IsClassifiedLayout = IsClassifiedLayout, IsOpaque = IsOpaque, Nested = Nested, PointeeSignature = PointeeSignature,
    };

    // ------------------------------------------------------------------ from DWARF

    private static readonly ConditionalWeakTable<CType, FfiType> Cache = new();

    /// <summary>The libffi view of a DWARF type (cached per <see cref="CType"/>). Throws
    /// <see cref="FfiException"/> (<see cref="FfiErrorKind.Unsupported"/>) for types C cannot pass by value.</summary>
    public static FfiType For(CType type)
    {
        if (Cache.TryGetValue(type, out FfiType? hit)) return hit;
        FfiType made = Build(type);
        return Cache.GetValue(type, _ => made);
    }

    private static FfiType Build(CType type)
    {
        string name = type.ToCString();
        CType u = type.Unqualified;
        switch (u)
        {
            case VoidType:
                return Void;
            case BaseType b:
                return FromBase(b).Renamed(name, type);
            case EnumType e:
            {
                if (e.IsDeclaration || e.Size <= 0) throw Unsupported("incomplete type " + name);
                bool signed;
                if (e.Underlying?.Unqualified is BaseType ub) signed = ub.IsSigned;
                else
                {
                    signed = false;
                    IReadOnlyList<Enumerator> vs = e.Values;
                    for (int i = 0; i < vs.Count; i++) if (vs[i].Value < 0) { signed = true; break; }
                }
                FfiType basic = Integer((int)e.Size, signed);
                return new FfiType(basic.Kind, basic.Size, basic.Alignment, name, basic.Native, type) { Enum = e };
            }
            case PointerType p:
            {
                CType target = p.Target.Unqualified;
                bool isChar = target is BaseType tb && tb.Size == 1 &&
                              (tb.Encoding is BaseEncoding.SignedChar or BaseEncoding.UnsignedChar or BaseEncoding.Signed or BaseEncoding.Unsigned or BaseEncoding.UTF);
                string? agg = target is StructType ts ? AggregateKeyOf(ts, p.Target) : null;
                return new FfiType(FfiTypeKind.Pointer, 8, 8, name, Pointer.Native, type)
                {
                    IsCharPointer = isChar, IsFunctionPointer = target is FunctionType, IsVoidPointer = target is VoidType,
                    PointeeAggregate = agg,
                };
            }
            case StructType s:
                return BuildAggregate(s, type, name);
            case ArrayType:
                throw Unsupported("array type " + name + " cannot be passed by value (arrays decay to pointers)");
            case FunctionType:
                throw Unsupported("function type " + name + " is not a value (use a pointer to it)");
            default:
                throw Unsupported("type " + name + " is not supported by libffi");
        }
    }

    private static FfiException Unsupported(string msg) => new(FfiErrorKind.Unsupported, msg);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FfiType> Pairs = new(StringComparer.Ordinal);

    /// <summary>A scalar the ABI passes as two eightbytes of one class (<c>_Complex double</c>: two SSE; <c>__int128</c>:
    /// two INTEGER): a libffi struct of two <paramref name="half"/> elements with the scalar's alignment. Its
    /// <see cref="CType"/> is the base type, so values convert as the scalar (complex, int).</summary>
    private static FfiType Pair(FfiType half, int align, BaseType b)
    {
        string key = b.Name + "/" + b.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + b.Encoding;
        if (Pairs.TryGetValue(key, out FfiType? known)) return known;
        var t = (FfiTypeNative*)NMem.AllocZeroed((nuint)(sizeof(FfiTypeNative) + 3 * sizeof(nint)));
        var els = (FfiTypeNative**)(t + 1);
        els[0] = half.Native;
        els[1] = half.Native;
        els[2] = null;
        t->Size = (nuint)b.Size;
        t->Alignment = (ushort)align;
        t->Type = LibFfi.TStruct;
        t->Elements = els;
        return Pairs.GetOrAdd(key, new FfiType(FfiTypeKind.Struct, (int)b.Size, align, b.Name ?? "?", t, b));
    }

    private static FfiType FromBase(BaseType b)
    {
        long size = b.Size;
        switch (b.Encoding)
        {
            case BaseEncoding.Boolean:
                if (size == 1) return Bool;
                return Integer((int)size, false);
            case BaseEncoding.Float:
                if (size == 4) return Float;
                if (size == 8) return Double;
                if (size == 16 || size == 10 || size == 12) return LongDouble;
                throw Unsupported("floating type " + b.Name + " of size " + size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            case BaseEncoding.ComplexFloat:
                // SysV x86-64: _Complex T is passed and returned as struct { T re, im; }
                if (size == 8) return Pair(Float, 4, b);
                if (size == 16) return Pair(Double, 8, b);
                throw Unsupported("complex type " + b.Name + " is not supported");
            case BaseEncoding.Address:
                return Pointer;
            case BaseEncoding.Signed:
            case BaseEncoding.SignedChar:
                if (size == 16) return Pair(UInt64, 16, b); // __int128: two INTEGER eightbytes (rdi:rsi, rax:rdx), 16-aligned
                if (size > 8) throw Unsupported("type " + b.Name + " is not supported by libffi");
                return Integer((int)size, true);
            default:
                if (size == 16 && b.Encoding == BaseEncoding.Unsigned) return Pair(UInt64, 16, b);
                if (size > 8 || size <= 0) throw Unsupported("type " + b.Name + " is not supported by libffi");
                return Integer((int)size, false);
        }
    }

    private static string AggregateKeyOf(StructType s, CType spelled)
    {
        if (s.Tag != null) return s.Name!;
        // Anonymous aggregate: only a typedef gives it a usable identity.
        CType t = spelled;
        while (t is QualifiedType q) t = q.Target;
        return t is TypedefType td ? td.Name! : s.Name!;
    }

    // ---- aggregates

    private static readonly FfiTypeNative* MemoryBlob = MakeMemoryBlob();

    /// <summary>A nested element libffi classifies as MEMORY (size &gt; 32 makes classify_argument give up), so any
    /// aggregate containing it is passed and returned in memory. Its own size never matters: the enclosing
    /// aggregate's size is preset.</summary>
    private static FfiTypeNative* MakeMemoryBlob()
    {
        var blob = (FfiTypeNative*)NMem.AllocZeroed((nuint)(sizeof(FfiTypeNative) + 2 * sizeof(nint)));
        var els = (FfiTypeNative**)(blob + 1);
        els[0] = LibFfi.Export("ffi_type_uint8");
        els[1] = null;
        blob->Size = 64;
        blob->Alignment = 1;
        blob->Type = LibFfi.TStruct;
        blob->Elements = els;
        return blob;
    }

    private static FfiType BuildAggregate(StructType s, CType spelled, string name)
    {
        if (s.IsDeclaration || s.Size < 0) throw Unsupported("incomplete type " + name + " cannot be passed by value");
        if (s.Size == 0) throw Unsupported("empty " + name + " cannot be passed by value");
        if (s.Size > ushort.MaxValue * 16L) throw Unsupported(name + " is too large to pass by value");
        int size = (int)s.Size;
        bool union = s.Kind == CTypeKind.Union;
        var elements = new List<nint>();
        var keep = new List<FfiType>();
        int align = 1;
        bool regular = !union && TryMirror(s, elements, keep, out align);
        bool classified = false;
        if (!regular)
        {
            elements.Clear();
            keep.Clear();
            align = NaturalAlignment(s, 0);
            bool packed = false;
            Span<byte> classes = stackalloc byte[2];
            if (size > 16 || !Classify(s, 0, classes, ref packed, 0) || packed)
            {
                elements.Add((nint)MemoryBlob);
                if (packed) align = 1;
            }
            else
            {
                for (int i = 0; i * 8 < size; i++)
                {
                    int w = Math.Min(8, size - i * 8);
                    if (classes[i] == ClassSse && (w == 8 || w == 4))
                        elements.Add((nint)(w == 8 ? Double.Native : Float.Native));
                    else if (w == 8)
                        elements.Add((nint)UInt64.Native);
                    else
                        for (int k = 0; k < w; k++) elements.Add((nint)UInt8.Native);
                }
            }
            classified = true;
        }
        var t = (FfiTypeNative*)NMem.AllocZeroed((nuint)(sizeof(FfiTypeNative) + (elements.Count + 1) * sizeof(nint)));
        var els = (FfiTypeNative**)(t + 1);
        for (int i = 0; i < elements.Count; i++) els[i] = (FfiTypeNative*)elements[i];
        els[elements.Count] = null;
        t->Size = (nuint)size;
        t->Alignment = (ushort)Math.Max(1, align);
        t->Type = LibFfi.TStruct;
        t->Elements = els;
        return new FfiType(FfiTypeKind.Struct, size, Math.Max(1, align), name, t, spelled)
        {
            IsUnion = union, AggregateKey = AggregateKeyOf(s, spelled), IsClassifiedLayout = classified,
            Nested = keep.Count > 0 ? keep.ToArray() : null,
        };
    }

    /// <summary>Nested aggregate descriptors referenced by this one's elements (kept alive with it).</summary>
    private FfiType[]? Nested { get; init; }

    private const int MaxMirrorElements = 512;

    /// <summary>Member-by-member element list when every member sits at its natural offset (no bitfields,
    /// no packing, no unions inside at odd places). False → use classification instead.</summary>
    private static bool TryMirror(StructType s, List<nint> elements, List<FfiType> keep, out int align)
    {
        align = 1;
        long cursor = 0;
        IReadOnlyList<Member> ms = s.Members;
        for (int i = 0; i < ms.Count; i++)
        {
            Member m = ms[i];
            if (m.IsBitfield) return false;
            CType mt = m.Type.Unqualified;
            long count = 1;
            while (mt is ArrayType at)
            {
                if (at.IsFlexible) { count = 0; mt = at.Element.Unqualified; break; }
                IReadOnlyList<long> dims = at.Dimensions;
                for (int d = 0; d < dims.Count; d++) count *= dims[d];
                mt = at.Element.Unqualified;
            }
            if (count == 0)
            {
                if (i != ms.Count - 1) return false; // zero-length array in the middle: odd layout
                continue;                            // flexible array member: not part of the by-value copy
            }
            FfiType et;
            try { et = For(mt); }
            catch (FfiException) { return false; }
            if (et.Kind == FfiTypeKind.Void) return false;
            long natural = (cursor + et.Alignment - 1) / et.Alignment * et.Alignment;
            if (natural != m.Offset) return false;
            if (elements.Count + count > MaxMirrorElements) return false;
            for (long k = 0; k < count; k++) elements.Add((nint)et.Native);
            if (et.Kind == FfiTypeKind.Struct) keep.Add(et);
            cursor = m.Offset + count * et.Size;
            if (et.Alignment > align) align = et.Alignment;
        }
        long total = (cursor + align - 1) / align * align;
        return total == s.Size && elements.Count > 0;
    }

    /// <summary>Natural alignment of a DWARF type (what gcc uses when nothing is packed).</summary>
    private static int NaturalAlignment(CType t, int depth)
    {
        if (depth > 32) return 1;
        CType u = t.Unqualified;
        switch (u)
        {
            case BaseType b: return b.Size >= 16 ? 16 : b.Size <= 0 ? 1 : (int)b.Size;
            case PointerType: return 8;
            case EnumType e: return e.Size <= 0 ? 4 : (int)e.Size;
            case ArrayType a: return NaturalAlignment(a.Element, depth + 1);
            case StructType s:
            {
                int al = 1;
                IReadOnlyList<Member> ms = s.Members;
                for (int i = 0; i < ms.Count; i++) al = Math.Max(al, NaturalAlignment(ms[i].Type, depth + 1));
                return al;
            }
            default: return 1;
        }
    }

    private const byte ClassNone = 0, ClassSse = 1, ClassInteger = 2;

    /// <summary>SysV eightbyte classification of the part of an aggregate at <paramref name="baseOffset"/>.
    /// Returns false for MEMORY (long double inside a union, unsupported member). Sets <paramref name="packed"/>
    /// when a member is not at its natural alignment (MEMORY as well).</summary>
    private static bool Classify(CType t, long baseOffset, Span<byte> classes, ref bool packed, int depth)
    {
        if (depth > 32) return false;
        CType u = t.Unqualified;
        switch (u)
        {
            case StructType s:
            {
                IReadOnlyList<Member> ms = s.Members;
                for (int i = 0; i < ms.Count; i++)
                {
                    Member m = ms[i];
                    if (m.IsBitfield)
                    {
                        long firstByte = baseOffset + m.BitOffset / 8;
                        long lastByte = baseOffset + (m.BitOffset + m.BitSize - 1) / 8;
                        for (long b = firstByte; b <= lastByte; b++) Mark(classes, b, ClassInteger);
                        continue;
                    }
                    long off = baseOffset + m.Offset;
                    if (off % NaturalAlignment(m.Type, depth + 1) != 0) packed = true;
                    if (!Classify(m.Type, off, classes, ref packed, depth + 1)) return false;
                }
                return true;
            }
            case ArrayType a:
            {
                long n = 1;
                IReadOnlyList<long> dims = a.Dimensions;
                for (int d = 0; d < dims.Count; d++) n *= dims[d];
                long es = a.Element.Size;
                if (n <= 0) return true;
                if (es <= 0) return false;
                for (long k = 0; k < n && k * es < 16; k++)
                    if (!Classify(a.Element, baseOffset + k * es, classes, ref packed, depth + 1)) return false;
                return true;
            }
            case BaseType b:
            {
                if (b.Encoding == BaseEncoding.Float && b.Size <= 8) { Mark(classes, baseOffset, ClassSse); return true; }
                if (b.Encoding is BaseEncoding.Float or BaseEncoding.ComplexFloat) return false; // x87 / complex: memory here
                for (long k = 0; k < b.Size; k++) Mark(classes, baseOffset + k, ClassInteger);
                return true;
            }
            case PointerType:
            case EnumType:
                for (long k = 0; k < Math.Max(1, u.Size); k++) Mark(classes, baseOffset + k, ClassInteger);
                return true;
            default:
                return false;
        }
    }

    private static void Mark(Span<byte> classes, long byteOffset, byte cls)
    {
        long i = byteOffset / 8;
        if (i < 0 || i >= classes.Length) return;
        if (cls > classes[(int)i]) classes[(int)i] = cls; // INTEGER wins over SSE wins over NONE
    }
}
