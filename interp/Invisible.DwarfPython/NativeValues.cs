using System;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>C values in memory ⇄ Python values, by DWARF type (paper §2: Python sees native data through the
/// debug info). Scalars become int/float/bool; pointers become <see cref="NativePointer"/> (None for NULL),
/// function pointers <see cref="NativeFunction"/>; structs, unions and arrays stay in place as
/// <see cref="NativeObject"/> live references (implicit pointers, §2.3).</summary>
internal static unsafe class NativeValues
{
    // ------------------------------------------------------------------ reading

    public static PyObject Read(nint a, CType declared, object? owner, bool isConst)
    {
        CType t = declared.Unqualified;
        bool trusted = owner != null;
        switch (t)
        {
            case BaseType b: return ReadBase(a, b, trusted);
            case EnumType e:
            {
                ulong bits = Mem.ReadBits(a, (int)e.Size, trusted);
                return PyInt.Get(EnumValue(e, bits));
            }
            case PointerType p:
            {
                nint v = Mem.ReadPointer(a, trusted);
                if (v == 0) return PyNone.Instance;
                if (p.Target.Unqualified is FunctionType ft) return NativeFunction.FromPointer(v, ft, null);
                return new NativePointer(v, p.Target, CTypes.IsConst(p.Target));
            }
            case StructType cs when CxxStd.TryRead(a, cs, trusted, out PyObject std): // C++: std::string, std::vector
                return std;
            case StructType:
            case ArrayType:
                return new NativeObject(a, declared, -1, owner, isConst || CTypes.IsConst(declared));
            case FunctionType f:
                return NativeFunction.FromPointer(a, f, null);
            case VoidType:
                throw Ops.TypeError("cannot read a value of type void");
            default:
                throw Ops.TypeError("cannot read a value of type " + declared.ToCString());
        }
    }

    public static long EnumValue(EnumType e, ulong bits)
    {
        int size = (int)e.Size;
        bool signed = e.Underlying?.Unqualified is BaseType ub ? ub.IsSigned : HasNegative(e);
        return signed ? SignExtend(bits, size * 8) : (long)bits;
    }

    private static bool HasNegative(EnumType e)
    {
        var vs = e.Values;
        for (int i = 0; i < vs.Count; i++) if (vs[i].Value < 0) return true;
        return false;
    }

    public static long SignExtend(ulong bits, int width) => width >= 64 ? (long)bits : (long)(bits << (64 - width)) >> (64 - width);

    private static PyObject ReadBase(nint a, BaseType b, bool trusted)
    {
        int size = (int)b.Size;
        switch (b.Encoding)
        {
            case BaseEncoding.Boolean: return PyBool.Of(Mem.ReadBits(a, size, trusted) != 0);
            case BaseEncoding.ComplexFloat:
                if (size == 8)
                    return new PyComplex(new Complex(BitConverter.UInt32BitsToSingle((uint)Mem.ReadBits(a, 4, trusted)), BitConverter.UInt32BitsToSingle((uint)Mem.ReadBits(a + 4, 4, trusted))));
                if (size == 16)
                    return new PyComplex(new Complex(BitConverter.UInt64BitsToDouble(Mem.ReadBits(a, 8, trusted)), BitConverter.UInt64BitsToDouble(Mem.ReadBits(a + 8, 8, trusted))));
                break;
            case BaseEncoding.Float:
                if (size == 4) { uint u = (uint)Mem.ReadBits(a, 4, trusted); return new PyFloat(BitConverter.UInt32BitsToSingle(u)); }
                if (size == 8) return new PyFloat(BitConverter.UInt64BitsToDouble(Mem.ReadBits(a, 8, trusted)));
                if (size == 16 || size == 10 || size == 12)
                {
                    byte* buf = stackalloc byte[16];
                    Mem.Read(a, new Span<byte>(buf, 10), trusted);
                    return new PyFloat(LongDouble(buf));
                }
                break;
            case BaseEncoding.Signed:
            case BaseEncoding.SignedChar:
            case BaseEncoding.Unsigned:
            case BaseEncoding.UnsignedChar:
            case BaseEncoding.UTF:
            case BaseEncoding.Address:
                if (size <= 8)
                {
                    ulong bits = Mem.ReadBits(a, size, trusted);
                    return b.IsSigned ? PyInt.Get(SignExtend(bits, size * 8)) : Unsigned(bits);
                }
                if (size == 16)
                {
                    byte* buf = stackalloc byte[16];
                    Mem.Read(a, new Span<byte>(buf, 16), trusted);
                    var big = new BigInteger(new ReadOnlySpan<byte>(buf, 16), isUnsigned: !b.IsSigned);
                    return PyInt.Get(big);
                }
                break;
        }
        throw Ops.TypeError("cannot convert a value of type " + b.ToCString());
    }

    public static PyInt Unsigned(ulong v) => v <= long.MaxValue ? PyInt.Get((long)v) : PyInt.Get(new BigInteger(v));

    /// <summary>x87 80-bit extended → double.</summary>
    private static double LongDouble(byte* src)
    {
        ulong mant = *(ulong*)src;
        ushort se = *(ushort*)(src + 8);
        int exp = se & 0x7FFF;
        double r;
        if (exp == 0x7FFF) r = (mant << 1) == 0 ? double.PositiveInfinity : double.NaN;
        else if (mant == 0) r = 0;
        else r = Math.ScaleB((double)mant, exp - 16383 - 63);
        return (se & 0x8000) != 0 ? -r : r;
    }

    // ------------------------------------------------------------------ bitfields

    public static PyObject ReadBitfield(nint structAddress, in Member m, bool trusted)
    {
        ulong raw = BitfieldRaw(structAddress, m, trusted, out _, out _, out _);
        CType t = m.Type.Unqualified;
        bool signed = t is BaseType b ? b.IsSigned : t is EnumType e && (e.Underlying?.Unqualified is BaseType ub ? ub.IsSigned : HasNegative(e));
        if (t is BaseType bb && bb.Encoding == BaseEncoding.Boolean) return PyBool.Of(raw != 0);
        return signed ? PyInt.Get(SignExtend(raw, m.BitSize)) : Unsigned(raw);
    }

    private static ulong BitfieldRaw(nint structAddress, in Member m, bool trusted, out nint at, out int nbytes, out int shift)
    {
        at = structAddress + (nint)(m.BitOffset / 8);
        shift = (int)(m.BitOffset % 8);
        nbytes = (shift + m.BitSize + 7) / 8;
        if (nbytes > 8) throw Ops.TypeError("bitfield " + m.Name + " spans more than 8 bytes");
        ulong word = Mem.ReadBits(at, nbytes, trusted);
        ulong mask = m.BitSize >= 64 ? ulong.MaxValue : (1UL << m.BitSize) - 1;
        return (word >> shift) & mask;
    }

    public static void WriteBitfield(nint structAddress, in Member m, PyObject v, bool trusted, string what)
    {
        CType t = m.Type.Unqualified;
        bool signed = t is BaseType b ? b.IsSigned : t is EnumType e && HasNegative(e);
        ulong bits;
        if (t is EnumType en && v is PyStr s)
        {
            if (!en.TryGetValue(s.Value, out long ev)) throw Ops.ValueError(what + ": '" + s.Value + "' is not an enumerator of " + en.ToCString());
            bits = IntBits(PyInt.Get(ev), m.BitSize, signed, what, m.Type);
        }
        else bits = IntBits(v, m.BitSize, signed, what, m.Type);
        ulong word = BitfieldRaw(structAddress, m, trusted, out nint at, out int nbytes, out int shift);
        _ = word;
        ulong full = Mem.ReadBits(at, nbytes, trusted);
        ulong mask = (m.BitSize >= 64 ? ulong.MaxValue : (1UL << m.BitSize) - 1) << shift;
        full = (full & ~mask) | ((bits << shift) & mask);
        Mem.WriteBits(at, nbytes, full, trusted);
    }

    // ------------------------------------------------------------------ writing

    /// <summary>The bits of an integer stored into a C integer of <paramref name="width"/> bits. Unsigned types
    /// wrap modulo 2^width (C's conversion rule); signed types refuse values that do not fit (OverflowError).</summary>
    public static ulong IntBits(PyObject v, int width, bool signed, string what, CType type)
    {
        if (v is PyFloat) throw Ops.TypeError(what + ": expected an integer, got float");
        if (v is not PyInt n)
        {
            if (v is PyStr s && s.Value.Length == 1 && s.Value[0] < 256 && width == 8) return s.Value[0];
            if (v is PyBytes by && by.Span.Length == 1 && width == 8) return by.Span[0];
            throw Ops.TypeError(what + ": expected an integer, got " + v.Type.Name);
        }
        if (!n.IsBig)
        {
            long x = n.V;
            if (signed)
            {
                if (width < 64)
                {
                    long min = -(1L << (width - 1)), max = (1L << (width - 1)) - 1;
                    if (x < min || x > max) throw Overflow(what, n, type);
                }
                return (ulong)x & Mask(width);
            }
            return (ulong)x & Mask(width);
        }
        BigInteger big = n.Big;
        if (signed)
        {
            BigInteger min = -(BigInteger.One << (width - 1)), max = (BigInteger.One << (width - 1)) - 1;
            if (big < min || big > max) throw Overflow(what, n, type);
            return (ulong)(long)big & Mask(width);
        }
        BigInteger mod = BigInteger.One << width;
        BigInteger r = BigInteger.Remainder(big, mod);
        if (r.Sign < 0) r += mod;
        return (ulong)r;
    }

    /// <summary>An int as the 16 little-endian bytes of an <c>__int128</c> (signed: range-checked) or
    /// <c>unsigned __int128</c> (wraps modulo 2^128, as C converts).</summary>
    public static void Int128Bytes(PyObject v, bool signed, string what, CType type, Span<byte> dest)
    {
        if (v is not PyInt n || v is PyBool) throw Ops.TypeError(what + ": expected an integer, got " + v.Type.Name);
        BigInteger big = n.Big;
        if (signed)
        {
            BigInteger min = -(BigInteger.One << 127), max = (BigInteger.One << 127) - 1;
            if (big < min || big > max) throw Overflow(what, n, type);
        }
        else
        {
            BigInteger mod = BigInteger.One << 128;
            big = BigInteger.Remainder(big, mod);
            if (big.Sign < 0) big += mod;
        }
        dest.Fill(big.Sign < 0 ? (byte)0xff : (byte)0);
        big.TryWriteBytes(dest, out _, isUnsigned: !signed, isBigEndian: false);
    }

    private static ulong Mask(int width) => width >= 64 ? ulong.MaxValue : (1UL << width) - 1;

    private static PyException Overflow(string what, PyInt n, CType type) =>
        Ops.OverflowError(what + ": " + n.Repr() + " out of range for " + type.ToCString());

    public static void Write(nint a, CType declared, PyObject v, object? owner, string what)
    {
        CType t = declared.Unqualified;
        bool trusted = owner != null;
        switch (t)
        {
            case BaseType b:
            {
                int size = (int)b.Size;
                if (b.Encoding == BaseEncoding.Float)
                {
                    double d = v is PyFloat f ? f.V : v is PyInt i ? (double)i.Big : throw Ops.TypeError(what + ": expected a float, got " + v.Type.Name);
                    if (size == 4) { Mem.WriteBits(a, 4, BitConverter.SingleToUInt32Bits((float)d), trusted); return; }
                    if (size == 8) { Mem.WriteBits(a, 8, BitConverter.DoubleToUInt64Bits(d), trusted); return; }
                    byte* buf = stackalloc byte[16];
                    WriteLongDouble(buf, d);
                    Mem.Write(a, new ReadOnlySpan<byte>(buf, 10), trusted);
                    return;
                }
                if (b.Encoding == BaseEncoding.Boolean)
                {
                    Mem.WriteBits(a, size, Ops.IsTrue(v) ? 1UL : 0UL, trusted);
                    return;
                }
                if (b.Encoding == BaseEncoding.ComplexFloat && size is 8 or 16)
                {
                    Complex z = v is PyComplex pc ? pc.V : v is PyFloat cf ? cf.V : v is PyInt ci && v is not PyBool ? (double)ci.Big
                        : throw Ops.TypeError(what + ": expected a complex, got " + v.Type.Name);
                    if (size == 8)
                    {
                        Mem.WriteBits(a, 4, BitConverter.SingleToUInt32Bits((float)z.Real), trusted);
                        Mem.WriteBits(a + 4, 4, BitConverter.SingleToUInt32Bits((float)z.Imaginary), trusted);
                    }
                    else
                    {
                        Mem.WriteBits(a, 8, BitConverter.DoubleToUInt64Bits(z.Real), trusted);
                        Mem.WriteBits(a + 8, 8, BitConverter.DoubleToUInt64Bits(z.Imaginary), trusted);
                    }
                    return;
                }
                if (size == 16 && b.Encoding is BaseEncoding.Signed or BaseEncoding.Unsigned)
                {
                    byte* wide = stackalloc byte[16];
                    Int128Bytes(v, b.IsSigned, what, declared, new Span<byte>(wide, 16));
                    Mem.Write(a, new ReadOnlySpan<byte>(wide, 16), trusted);
                    return;
                }
                if (size > 8) throw Ops.TypeError(what + ": cannot assign to " + b.ToCString());
                Mem.WriteBits(a, size, IntBits(v, size * 8, b.IsSigned, what, declared), trusted);
                return;
            }
            case EnumType e:
            {
                PyObject iv = v;
                if (v is PyStr s)
                {
                    if (!e.TryGetValue(s.Value, out long ev)) throw Ops.ValueError(what + ": '" + s.Value + "' is not an enumerator of " + e.ToCString());
                    iv = PyInt.Get(ev);
                }
                Mem.WriteBits(a, (int)e.Size, IntBits(iv, (int)e.Size * 8, HasNegative(e), what, declared), trusted);
                return;
            }
            case PointerType p:
                Mem.WriteBits(a, 8, (ulong)PointerValue(v, p.Target, what, keepAlive: true), trusted);
                return;
            case StructType st:
            {
                if (v is NativeObject o && o.IsStruct && CTypes.PointeeCompatible(st, o.CType))
                {
                    var tmp = new byte[st.Size];
                    Mem.Read(o.Address, tmp, o.Trusted);
                    Mem.Write(a, tmp, trusted);
                    return;
                }
                if (v is PyDict d)
                {
                    var target = new NativeObject(a, declared, -1, owner, false);
                    foreach (var kv in d.Items()) target.SetAttr(kv.Key as PyStr ?? PyStr.Of(Ops.Str(kv.Key)), kv.Value);
                    return;
                }
                throw Ops.TypeError(what + ": expected " + declared.ToCString() + ", got " + TypeName(v));
            }
            case ArrayType arr:
                new NativeObject(a, declared, -1, owner, false).Assign(v, what);
                return;
        }
        throw Ops.TypeError(what + ": cannot assign to a value of type " + declared.ToCString());
    }

    /// <summary>The address a Python value denotes when stored into (or passed as) a pointer to <paramref name="target"/>.</summary>
    public static nint PointerValue(PyObject v, CType target, string what, bool keepAlive)
    {
        switch (v)
        {
            case PyNone: return 0;
            case NativePointer np:
                if (!CTypes.PointeeCompatible(target, np.Target) && CxxSupport.TryUpcast(np.Value, np.Target, target, out nint npBased)) return npBased;
                if (!CTypes.PointeeCompatible(target, np.Target)) throw Mismatch(what, target, v);
                return np.Value;
            case NativeObject o:
                if (o.IsStruct && !CTypes.PointeeCompatible(target, o.CType) && CxxSupport.TryUpcast(o.Address, o.CType, target, out nint oBased)) return oBased;
                if (o.IsArray && CTypes.PointeeCompatible(target, o.ElementType)) return o.Address;
                if (!CTypes.PointeeCompatible(target, o.CType)) throw Mismatch(what, target, v);
                return o.Address;
            case NativeFunction f:
                return f.Address;
            case PyBool: break;
            case PyInt i: return (nint)(long)IntBits(i, 64, false, what, target);
        }
        if (v.IsCallable && target.Unqualified is FunctionType ft) return NativeEntry.FfiEntry.EntryFor(v, NativeCallback.For(v, ft)); // named C entry (NativeEntry/)
        throw Mismatch(what, target, v);
    }

    private static PyException Mismatch(string what, CType target, PyObject v) =>
        Ops.TypeError(what + ": expected " + CTypes.PointerTo(target) + ", got " + TypeName(v));

    /// <summary>Python type name, or the C type of a native value, for messages.</summary>
    public static string TypeName(PyObject v) => v switch
    {
        NativeObject o => o.TypeText,
        NativePointer p => CTypes.PointerTo(p.Target),
        NativeFunction => "function pointer",
        _ => v.Type.Name,
    };

    private static void WriteLongDouble(byte* dest, double d)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        ulong sign = bits >> 63;
        int e = (int)((bits >> 52) & 0x7FF);
        ulong f = bits & 0xFFFFFFFFFFFFFUL;
        ulong mant; int exp;
        if (e == 0 && f == 0) { mant = 0; exp = 0; }
        else if (e == 0x7FF) { mant = 0x8000000000000000UL | (f << 11); exp = 0x7FFF; }
        else if (e == 0) { int lz = BitOperations.LeadingZeroCount(f); mant = f << lz; exp = 15372 - lz + 12 - 12; }
        else { mant = 0x8000000000000000UL | (f << 11); exp = e - 1023 + 16383; }
        *(ulong*)dest = mant;
        *(ushort*)(dest + 8) = (ushort)((sign << 15) | (uint)exp);
    }
}

/// <summary>gdb's <c>print</c> format, so that <c>repr</c> of a native object reads like a debugger session:
/// <c>{st_dev = 2049, st_ino = 1234, …}</c>, <c>"hi\000\000"</c>, <c>0 &lt;repeats 12 times&gt;</c>,
/// <c>(struct node *) 0x4052a0</c>, <c>0x1129 &lt;twice&gt;</c>.</summary>
internal static class GdbFormat
{
    private const int RepeatThreshold = 10, PrintMax = 200;

    public static string Value(nint a, CType declared, long synthCount, object? owner)
    {
        var sb = new StringBuilder();
        if (synthCount >= 0) Array(sb, a, declared, synthCount, owner != null, 0);
        else Append(sb, a, declared, owner != null, 0);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, nint a, CType declared, bool trusted, int depth)
    {
        CType t = declared.Unqualified;
        try
        {
            switch (t)
            {
                case StructType st:
                    Struct(sb, a, st, trusted, depth);
                    return;
                case ArrayType arr:
                    Array(sb, a, arr.Inner, arr.Count, trusted, depth);
                    return;
                case BaseType b:
                    Scalar(sb, NativeValues.Read(a, b, trusted ? sb : null, false), b);
                    return;
                case EnumType e:
                    sb.Append(Enum(e, NativeValues.EnumValue(e, Mem.ReadBits(a, (int)e.Size, trusted))));
                    return;
                case PointerType p:
                    Pointer(sb, Mem.ReadPointer(a, trusted), p.Target);
                    return;
                default:
                    sb.Append("<").Append(declared.ToCString()).Append('>');
                    return;
            }
        }
        catch (PyException e) when (e.Value.Type == Mem.FaultErrorType)
        {
            sb.Append("<error: ").Append(e.Value.Str()).Append('>');
        }
    }

    private static void Struct(StringBuilder sb, nint a, StructType st, bool trusted, int depth)
    {
        if (st.Module != null && CxxStd.IsString(st) && CxxStd.TryString(a, st, trusted, out byte[]? text))
        {
            // gdb's libstdc++ printer: the text
            sb.Append(CString(Encoding.UTF8.GetString(text!)));
            return;
        }
        if (st.Module != null && CxxStd.IsVector(st) && CxxStd.TryVector(a, st, trusted, out nint start, out long count, out long capacity, out CType? elem))
        {
            sb.Append("std::vector of length ").Append(count).Append(", capacity ").Append(capacity);
            if (count > 0) { sb.Append(" = "); Array(sb, start, elem!, count, false, depth + 1); }
            return;
        }
        sb.Append('{');
        bool any = false;
        // C++ (gdb's layout): base subobjects first, `<Base> = {...}`, static members among the members, `static n = 3`
        CxxClassInfo? cxx = st.Module != null && st.Kind != CTypeKind.Union ? st.Cxx : null;
        if (cxx != null)
            foreach (BaseClass b in cxx.Bases)
            {
                if (any) sb.Append(", ");
                any = true;
                sb.Append('<').Append(CxxSupport.QualifiedName(b.Type)).Append("> = ");
                if (b.IsVirtual) sb.Append("<virtual base>");
                else Struct(sb, a + (nint)b.Offset, b.Type, trusted, depth + 1);
            }
        var ms = st.Members;
        for (int i = 0; i <= ms.Count; i++)
        {
            if (cxx != null && depth < 4)
                foreach (CxxStaticMember s in cxx.Statics)
                {
                    if (s.MemberIndex != i) continue;
                    nint sa = CxxSupport.StaticAddress(st, s);
                    if (sa == 0) continue;
                    if (any) sb.Append(", ");
                    any = true;
                    sb.Append("static ").Append(s.Name).Append(" = ");
                    Append(sb, sa, s.Type, false, depth + 1);
                }
            if (i == ms.Count) break;
            Member m = ms[i];
            if (any) sb.Append(", ");
            any = true;
            if (m.Name != null) sb.Append(m.Name).Append(" = ");
            if (m.IsBitfield)
            {
                try
                {
                    PyObject v = NativeValues.ReadBitfield(a, m, trusted);
                    if (m.Type.Unqualified is EnumType e) sb.Append(Enum(e, ((PyInt)v).V));
                    else Scalar(sb, v, m.Type.Unqualified as BaseType);
                }
                catch (PyException ex) when (ex.Value.Type == Mem.FaultErrorType) { sb.Append("<error: ").Append(ex.Value.Str()).Append('>'); }
            }
            else Append(sb, a + (nint)m.Offset, m.Type, trusted, depth + 1);
        }
        sb.Append('}');
    }

    public static void Array(StringBuilder sb, nint a, CType elem, long count, bool trusted, int depth)
    {
        long es = elem.Size;
        if (count < 0 || es <= 0) { sb.Append("0x").Append(((ulong)a).ToString("x")); return; }
        if (CTypes.IsCharLike(elem)) { CharArray(sb, a, (int)Math.Min(count, 1 << 20), trusted); return; }
        sb.Append('{');
        // elements compared by their printed form (equal bytes print equally)
        long shown = 0;
        long i = 0;
        var cur = new StringBuilder();
        var next = new StringBuilder();
        while (i < count)
        {
            if (shown >= PrintMax) { sb.Append("..."); break; }
            cur.Clear();
            Append(cur, a + (nint)(i * es), elem, trusted, depth + 1);
            long run = 1;
            while (i + run < count)
            {
                next.Clear();
                Append(next, a + (nint)((i + run) * es), elem, trusted, depth + 1);
                if (!next.Equals(cur)) break;
                run++;
            }
            if (shown > 0) sb.Append(", ");
            if (run > RepeatThreshold)
            {
                sb.Append(cur).Append(" <repeats ").Append(run).Append(" times>");
                i += run;
                shown += RepeatThreshold;
            }
            else
            {
                sb.Append(cur);
                for (long k = 1; k < run && shown + k < PrintMax; k++) sb.Append(", ").Append(cur);
                i += run;
                shown += run;
            }
        }
        sb.Append('}');
    }

    private static void CharArray(StringBuilder sb, nint a, int count, bool trusted)
    {
        var bytes = new byte[count];
        Mem.Read(a, bytes, trusted);
        int n = count;
        if (n > 0 && bytes[n - 1] == 0) n--; // gdb drops one trailing NUL
        if (n == 0) { sb.Append("\"\""); return; }
        bool inStr = false, any = false;
        int i = 0;
        while (i < n)
        {
            int run = 1;
            while (i + run < n && bytes[i + run] == bytes[i]) run++;
            if (run > RepeatThreshold)
            {
                if (inStr) { sb.Append('"'); inStr = false; }
                if (any) sb.Append(", ");
                sb.Append('\'').Append(Escape(bytes[i], '\'')).Append("' <repeats ").Append(run).Append(" times>");
                any = true;
                i += run;
                continue;
            }
            if (!inStr)
            {
                if (any) sb.Append(", ");
                sb.Append('"');
                inStr = true;
                any = true;
            }
            for (int k = 0; k < run; k++) sb.Append(Escape(bytes[i], '"'));
            i += run;
        }
        if (inStr) sb.Append('"');
    }

    public static string Escape(byte c, char quote)
    {
        switch (c)
        {
            case (byte)'\n': return "\\n";
            case (byte)'\t': return "\\t";
            case (byte)'\r': return "\\r";
            case 7: return "\\a";
            case 8: return "\\b";
            case 12: return "\\f";
            case 11: return "\\v";
            case 27: return "\\033";
            case (byte)'\\': return "\\\\";
        }
        if (c == quote) return "\\" + quote;
        if (c >= 32 && c < 127) return ((char)c).ToString();
        return "\\" + Convert.ToString(c, 8).PadLeft(3, '0');
    }

    private static void Scalar(StringBuilder sb, PyObject v, BaseType? b)
    {
        if (v is PyBool pb) { sb.Append(pb.V != 0 ? "true" : "false"); return; }
        if (v is PyComplex z) { sb.Append(Float(z.V.Real, b != null && b.Size == 8 ? 9 : 17)).Append(" + ").Append(Float(z.V.Imaginary, b != null && b.Size == 8 ? 9 : 17)).Append('i'); return; }
        if (v is PyFloat f) { sb.Append(Float(f.V, b != null && b.Size == 4 ? 9 : 17)); return; }
        sb.Append(v.Repr());
        if (b != null && b.Size == 1 && b.Encoding is BaseEncoding.SignedChar or BaseEncoding.UnsignedChar && v is PyInt i)
            sb.Append(" '").Append(Escape((byte)i.V, '\'')).Append('\'');
    }

    /// <summary>C's <c>%.{digits}g</c>.</summary>
    public static string Float(double d, int digits)
    {
        if (double.IsNaN(d)) return double.IsNegative(d) ? "-nan(0x8000000000000)" : "nan(0x8000000000000)";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        string e = d.ToString("E" + (digits - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int ei = e.IndexOf('E');
        int exp = int.Parse(e.AsSpan(ei + 1), CultureInfo.InvariantCulture);
        if (exp < -4 || exp >= digits)
        {
            string mant = e.Substring(0, ei);
            if (mant.Contains('.')) mant = mant.TrimEnd('0').TrimEnd('.');
            return mant + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        string fx = d.ToString("F" + Math.Max(0, digits - 1 - exp).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (fx.Contains('.')) fx = fx.TrimEnd('0').TrimEnd('.');
        return fx;
    }

    public static string Enum(EnumType e, long v)
    {
        var vs = e.Values;
        for (int i = 0; i < vs.Count; i++) if (vs[i].Value == v) return vs[i].Name;
        if (!IsFlagEnum(e) || v < 0) return v.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder("(");
        long rest = v;
        for (int i = 0; i < vs.Count; i++)
        {
            long f = vs[i].Value;
            if (f != 0 && (rest & f) == f)
            {
                if (sb.Length > 1) sb.Append(" | ");
                sb.Append(vs[i].Name);
                rest &= ~f;
            }
        }
        if (rest != 0)
        {
            if (sb.Length > 1) sb.Append(" | ");
            sb.Append("unknown: 0x").Append(rest.ToString("x", CultureInfo.InvariantCulture));
        }
        return sb.Append(')').ToString();
    }

    private static bool IsFlagEnum(EnumType e)
    {
        long seen = 0;
        var vs = e.Values;
        for (int i = 0; i < vs.Count; i++)
        {
            long f = vs[i].Value;
            if (f < 0) return false;
            if ((seen & f) != 0) return false;
            seen |= f;
        }
        return true;
    }

    public static void Pointer(StringBuilder sb, nint v, CType target)
    {
        sb.Append("0x").Append(((ulong)v).ToString("x"));
        if (v == 0) return;
        if (Dl.Addr(v, out _, out string? sym, out nint sa) && sym != null && sa == v) sb.Append(" <").Append(sym).Append('>');
        else if (sym != null && sym.StartsWith("_ZTV", StringComparison.Ordinal) && sa < v)
            sb.Append(" <").Append(Invisible.Abi.Symbolization.Demangler.Demangle(sym)).Append('+').Append((long)(v - sa)).Append('>'); // a vptr, as gdb shows it
        else if (CTypes.IsCharLike(target))
        {
            if (Invisible.Abi.Ffi.SafeMemory.TryReadCString(v, out string? s, 200) && s != null) sb.Append(' ').Append(CString(s));
            else sb.Append(" <error: Cannot access memory at address 0x").Append(((ulong)v).ToString("x")).Append('>');
        }
    }

    public static string CString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in Encoding.UTF8.GetBytes(s))
            sb.Append(b >= 128 ? "\\" + Convert.ToString(b, 8).PadLeft(3, '0') : Escape(b, '"'));
        return sb.Append('"').ToString();
    }

    /// <summary>Top-level pointer: <c>(struct node *) 0x4052a0</c>; <c>char *</c> prints its text instead.</summary>
    public static string TopPointer(nint v, CType target)
    {
        var sb = new StringBuilder();
        if (!CTypes.IsCharLike(target)) sb.Append('(').Append(CTypes.PointerTo(target)).Append(") ");
        Pointer(sb, v, target);
        return sb.ToString();
    }
}
