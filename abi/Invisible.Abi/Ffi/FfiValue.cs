using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Invisible.Abi.Ffi;

/// <summary>What an <see cref="FfiValue"/> holds. The bridge names them as Python does in messages:
/// int, float, str, bytes, pointer, None, or the struct's C name.</summary>
public enum FfiValueKind : byte
{
    /// <summary>No value: a void result, or NULL / None as an argument.</summary>
    None,
    /// <summary>A signed integer (<see cref="FfiValue.AsInt64"/>).</summary>
    Int,
    /// <summary>An unsigned integer (<see cref="FfiValue.AsUInt64"/>); results of unsigned C types.</summary>
    UInt,
    /// <summary>A float or double (long double is carried as double).</summary>
    Double,
    /// <summary>An address.</summary>
    Pointer,
    /// <summary>A managed string: passed to <c>char *</c> as NUL-terminated UTF-8 valid during the call.</summary>
    String,
    /// <summary>A managed byte buffer: passed as a pointer to its (pinned) first byte; C may write into it.</summary>
    Bytes,
    /// <summary>A struct/union in native memory (<see cref="FfiValue.Address"/>, <see cref="FfiValue.StructType"/>).</summary>
    Struct,
}

/// <summary>
/// One argument or result of a native call: an integer, a float, a pointer, a string or byte buffer (arguments),
/// or a reference to native memory holding a struct. 24 bytes (64 value bits, one reference, the kind); constructing and
/// passing scalars allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct FfiValue
{
    private readonly ulong _bits;
    private readonly object? _ref;
    public FfiValueKind Kind { get; }

    private FfiValue(FfiValueKind kind, ulong bits, object? r)
    {
        Kind = kind; _bits = bits; _ref = r;
    }

    public static FfiValue None => default;
    public static FfiValue FromInt64(long v) => new(FfiValueKind.Int, (ulong)v, null);
    public static FfiValue FromUInt64(ulong v) => new(FfiValueKind.UInt, v, null);
    public static FfiValue FromBool(bool v) => new(FfiValueKind.Int, v ? 1UL : 0UL, null);
    public static FfiValue FromDouble(double v) => new(FfiValueKind.Double, BitConverter.DoubleToUInt64Bits(v), null);
    public static FfiValue FromPointer(nint address) => new(FfiValueKind.Pointer, (ulong)address, null);
    public static unsafe FfiValue FromPointer(void* address) => new(FfiValueKind.Pointer, (ulong)address, null);
    /// <summary>A string argument (null → None).</summary>
    public static FfiValue FromString(string? s) => s is null ? default : new(FfiValueKind.String, 0, s);
    /// <summary>A byte buffer argument, passed as a pointer to its first byte (null → None).</summary>
    public static FfiValue FromBytes(byte[]? b) => b is null ? default : new(FfiValueKind.Bytes, 0, b);
    /// <summary>A struct at <paramref name="address"/> that someone else owns (borrowed: valid as long as that memory).</summary>
    public static FfiValue FromStruct(nint address, FfiType type)
    {
        if (type.Kind != FfiTypeKind.Struct) throw new ArgumentException(type.Name + " is not a struct or union", nameof(type));
        return new(FfiValueKind.Struct, (ulong)address, type);
    }
    /// <summary>A struct held in an owned native block (the value keeps the block alive).</summary>
    public static FfiValue FromStruct(NativeBlock block)
    {
        if (block.Type is null || block.Type.Kind != FfiTypeKind.Struct) throw new ArgumentException("block has no struct type", nameof(block));
        return new(FfiValueKind.Struct, (ulong)block.Address, block);
    }
    /// <summary>A new struct value: a zeroed native block of the type's size, filled from <paramref name="bytes"/>.</summary>
    public static FfiValue NewStruct(FfiType type, ReadOnlySpan<byte> bytes = default)
    {
        var block = NativeBlock.Allocate(type.Size, type);
        bytes.Slice(0, Math.Min(bytes.Length, type.Size)).CopyTo(block.Span);
        return FromStruct(block);
    }

    public static implicit operator FfiValue(long v) => FromInt64(v);
    public static implicit operator FfiValue(int v) => FromInt64(v);
    public static implicit operator FfiValue(ulong v) => FromUInt64(v);
    public static implicit operator FfiValue(double v) => FromDouble(v);
    public static implicit operator FfiValue(string? v) => FromString(v);
    public static implicit operator FfiValue(uint v) => FromInt64(v);
    /// <summary>A C char argument (its code; must fit the parameter's char type).</summary>
    public static implicit operator FfiValue(char v) => FromInt64(v);

    public bool IsNone => Kind == FfiValueKind.None;
    public bool IsInteger => Kind is FfiValueKind.Int or FfiValueKind.UInt;
    /// <summary>The raw 64 bits (integer, pointer, or IEEE double bits).</summary>
    public ulong RawBits => _bits;

    /// <summary>The integer value; throws if this is not an integer or does not fit a long.</summary>
    public long AsInt64()
    {
        if (Kind == FfiValueKind.Int) return (long)_bits;
        if (Kind == FfiValueKind.UInt && _bits <= long.MaxValue) return (long)_bits;
        throw new InvalidCastException(Kind == FfiValueKind.UInt ? "integer " + _bits.ToString(CultureInfo.InvariantCulture) + " does not fit int64" : "expected an integer, got " + TypeName);
    }

    /// <summary>The integer value as unsigned; throws for negative values or non-integers.</summary>
    public ulong AsUInt64()
    {
        if (Kind == FfiValueKind.UInt) return _bits;
        if (Kind == FfiValueKind.Int && (long)_bits >= 0) return _bits;
        throw new InvalidCastException(Kind == FfiValueKind.Int ? "negative integer has no unsigned value" : "expected an integer, got " + TypeName);
    }

    /// <summary>The number as double (integers convert).</summary>
    public double AsDouble() => Kind switch
    {
        FfiValueKind.Double => BitConverter.UInt64BitsToDouble(_bits),
        FfiValueKind.Int => (long)_bits,
        FfiValueKind.UInt => _bits,
        _ => throw new InvalidCastException("expected a float, got " + TypeName),
    };

    /// <summary>Address of a pointer or struct value (0 for None).</summary>
    public nint Address => Kind switch
    {
        FfiValueKind.Pointer or FfiValueKind.Struct => (nint)_bits,
        FfiValueKind.None => 0,
        _ => throw new InvalidCastException("expected a pointer, got " + TypeName),
    };

    public string? AsString() => _ref as string;
    public byte[]? AsBytes() => _ref as byte[];

    /// <summary>For a struct value: its type.</summary>
    public FfiType? StructType => _ref is NativeBlock nb ? nb.Type : _ref as FfiType;
    /// <summary>For a struct value in an owned block: the block (null for borrowed memory).</summary>
    public NativeBlock? Block => _ref as NativeBlock;

    /// <summary>The bytes of a struct value (unchecked: the memory must be alive).</summary>
    public unsafe ReadOnlySpan<byte> StructBytes =>
        Kind == FfiValueKind.Struct ? new ReadOnlySpan<byte>((void*)_bits, StructType!.Size) : default;

    /// <summary>A struct value copied into an owned block (borrowed callback arguments must be copied to be kept).</summary>
    public FfiValue CopyStruct()
    {
        if (Kind != FfiValueKind.Struct) throw new InvalidCastException("expected a struct, got " + TypeName);
        return NewStruct(StructType!, StructBytes);
    }

    /// <summary>Python-style name of what this holds, used in error messages.</summary>
    public string TypeName => Kind switch
    {
        FfiValueKind.None => "None",
        FfiValueKind.Int or FfiValueKind.UInt => "int",
        FfiValueKind.Double => "float",
        FfiValueKind.Pointer => "pointer",
        FfiValueKind.String => "str",
        FfiValueKind.Bytes => "bytes",
        FfiValueKind.Struct => StructType?.Name ?? "struct",
        _ => "?",
    };

    public override string ToString() => Kind switch
    {
        FfiValueKind.None => "None",
        FfiValueKind.Int => ((long)_bits).ToString(CultureInfo.InvariantCulture),
        FfiValueKind.UInt => _bits.ToString(CultureInfo.InvariantCulture),
        FfiValueKind.Double => BitConverter.UInt64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        FfiValueKind.Pointer => "0x" + _bits.ToString("x", CultureInfo.InvariantCulture),
        FfiValueKind.String => "'" + (string)_ref! + "'",
        FfiValueKind.Bytes => "bytes[" + ((byte[])_ref!).Length.ToString(CultureInfo.InvariantCulture) + "]",
        FfiValueKind.Struct => (StructType?.Name ?? "struct") + " at 0x" + _bits.ToString("x", CultureInfo.InvariantCulture),
        _ => "?",
    };

    // ------------------------------------------------------------------ x87 80-bit long double

    /// <summary>Writes <paramref name="d"/> as an x87 extended-precision value (10 bytes; the 16-byte slot's tail zeroed).</summary>
    internal static unsafe void WriteLongDouble(byte* dest, double d)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        ulong sign = bits >> 63;
        int e = (int)((bits >> 52) & 0x7FF);
        ulong f = bits & 0xFFFFFFFFFFFFFUL;
        ulong mant;
        int exp;
        if (e == 0 && f == 0) { mant = 0; exp = 0; }
        else if (e == 0x7FF) { mant = 0x8000000000000000UL | (f << 11); exp = 0x7FFF; }
        else if (e == 0)
        {
            int lz = BitOperations.LeadingZeroCount(f);
            mant = f << lz;
            exp = 15372 - lz;
        }
        else { mant = 0x8000000000000000UL | (f << 11); exp = e - 1023 + 16383; }
        *(ulong*)dest = mant;
        *(ushort*)(dest + 8) = (ushort)((sign << 15) | (uint)exp);
        *(ushort*)(dest + 10) = 0;
        *(uint*)(dest + 12) = 0;
    }

    /// <summary>Reads an x87 extended-precision value, rounded to double.</summary>
    internal static unsafe double ReadLongDouble(byte* src)
    {
        ulong mant = *(ulong*)src;
        ushort se = *(ushort*)(src + 8);
        bool neg = (se & 0x8000) != 0;
        int exp = se & 0x7FFF;
        double r;
        if (exp == 0x7FFF) r = (mant << 1) == 0 ? double.PositiveInfinity : double.NaN;
        else if (mant == 0) r = 0;
        else r = Math.ScaleB((double)mant, exp - 16446);
        return neg ? -r : r;
    }
}

/// <summary>Inline storage for up to 8 values (closure dispatch uses it to avoid allocating argument arrays).</summary>
[InlineArray(8)]
public struct FfiValueBuffer8
{
    private FfiValue _first;
}
