using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Numerics;
using System.Text;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_struct</c> (Modules/_struct.c): formats are compiled once into a table of items (code, offset, size),
/// then packing and unpacking walk the table. Error texts follow CPython 3.11 on x86-64 exactly, including its quirks:
/// with '&lt;' and '=' the little-endian host uses the native converters for the codes whose sizes match (so '&lt;h'
/// says "short format requires ..." while '&gt;h' says "'h' format requires ..."), and 8-byte big-endian codes
/// report "int too large to convert".
/// </summary>
public static class StructModule
{
    private static PyType? s_error, s_struct, s_iter;
    private static readonly object TypesGate = new();

    /// <summary>struct.error (module name "struct", as CPython names it).</summary>
    public static PyType ErrorType
    {
        get
        {
            if (s_error is { } t) return t;
            lock (TypesGate) return s_error ??= new PyType("error", PyBaseException.ExceptionType, null) { ModuleName = "struct" };
        }
    }

    /// <summary>_struct.Struct.</summary>
    public static PyType StructType
    {
        get
        {
            if (s_struct is { } t) return t;
            lock (TypesGate) return s_struct ??= CreateStructType();
        }
    }

    internal static PyType UnpackIteratorType
    {
        get
        {
            if (s_iter is { } t) return t;
            lock (TypesGate) return s_iter ??= CreateIterType();
        }
    }

    internal static PyException Error(string msg) => Ops.Exc(ErrorType, msg);

    // The compiled formats are immutable, so one cache serves every interpreter (CPython keeps 100 per process).
    private static readonly ConcurrentDictionary<string, StructLayout> Cache = new(StringComparer.Ordinal);
    private const int MaxCache = 100;

    internal static StructLayout Layout(PyObject format)
    {
        string f = FormatText(format, "Struct");
        if (Cache.TryGetValue(f, out var l)) return l;
        l = StructLayout.Compile(f);
        if (Cache.Count >= MaxCache) Cache.Clear();
        Cache[f] = l;
        return l;
    }

    internal static string FormatText(PyObject format, string fname) => format switch
    {
        PyStr s => s.Value,
        PyBytes b when b is not PyByteArray => Encoding.Latin1.GetString(b.Span),
        _ => throw Ops.TypeError($"{fname}() argument 1 must be a str or bytes object, not {format.Type.Name}"),
    };

    public static PyModule Create()
    {
        var m = new PyModule("_struct");
        m.Add("__doc__", new PyStr("Functions to convert between Python values and C structs."));
        m.Add("error", ErrorType);
        m.Add("Struct", StructType);
        m.AddFn("_clearcache", (a, k) => { Cache.Clear(); return PyNone.Instance; });
        m.AddFn("calcsize", (a, k) =>
        {
            if (a.Length != 1 || k != null) throw Ops.TypeError($"_struct.calcsize() takes exactly one argument ({a.Length} given)");
            return PyInt.Get(Layout(a[0]).Size);
        });
        m.AddFn("pack", (a, k) =>
        {
            Ops.NoKw(k, "pack");
            if (a.Length == 0) throw Ops.TypeError("missing format argument");
            return new PyBytes(Layout(a[0]).Pack(a.Slice(1)));
        });
        m.AddFn("pack_into", (a, k) =>
        {
            Ops.NoKw(k, "pack_into");
            if (a.Length == 0) throw Ops.TypeError("missing format argument");
            Layout(a[0]).PackInto(a.Slice(1));
            return PyNone.Instance;
        });
        m.AddFn("unpack", (a, k) =>
        {
            Ops.NoKw(k, "unpack");
            if (a.Length != 2) throw Ops.TypeError($"unpack expected 2 arguments, got {a.Length}");
            return Layout(a[0]).Unpack(a[1]);
        });
        m.AddFn("unpack_from", (a, k) =>
        {
            if (Ops.PosCount(a, k) < 1) throw Ops.TypeError("unpack_from() missing required argument 'format' (pos 1)");
            return UnpackFrom(Layout(a[0]), a.Slice(1, a.Length - 1), k, "unpack_from() missing required argument 'buffer' (pos 2)");
        });
        m.AddFn("iter_unpack", (a, k) =>
        {
            Ops.NoKw(k, "iter_unpack");
            if (a.Length != 2) throw Ops.TypeError($"iter_unpack expected 2 arguments, got {a.Length}");
            return Layout(a[0]).IterUnpack(a[1]);
        });
        return m;
    }

    private static PyObject UnpackFrom(StructLayout l, ReadOnlySpan<PyObject> a, PyStr[]? k, string missing)
    {
        var buffer = Ops.Arg(a, k, 0, "buffer") ?? throw Ops.TypeError(missing);
        var off = Ops.Arg(a, k, 1, "offset");
        long offset = off == null ? 0 : Ops.IndexValue(off);
        return l.UnpackFrom(buffer, offset);
    }

    private static PyType CreateStructType()
    {
        var t = new PyType("Struct", PyType.ObjectType, (cls, a, k) => new PyStruct(cls)) { ModuleName = "_struct" };
        static PyStruct S(PyObject o) => o as PyStruct ?? throw Ops.TypeError($"descriptor requires a '_struct.Struct' object but received a '{o.Type.Name}'");
        t.AddMethod("__init__", (a, k) =>
        {
            var fmt = Ops.Arg(a, k, 1, "format") ?? throw Ops.TypeError("Struct() missing required argument 'format' (pos 1)");
            var s = S(a[0]);
            s.FormatObj = fmt is PyBytes b && b is not PyByteArray ? new PyStr(Encoding.Latin1.GetString(b.Span)) : fmt;
            s.Layout = Layout(fmt);
            return PyNone.Instance;
        });
        t.AddMethod("pack", (a, k) => { Ops.NoKw(k, "pack"); return new PyBytes(S(a[0]).L.Pack(a.Slice(1))); });
        t.AddMethod("pack_into", (a, k) => { Ops.NoKw(k, "pack_into"); S(a[0]).L.PackInto(a.Slice(1)); return PyNone.Instance; });
        t.AddMethod("unpack", (a, k) =>
        {
            Ops.NoKw(k, "unpack");
            if (a.Length != 2) throw Ops.TypeError($"unpack() takes exactly one argument ({a.Length - 1} given)");
            return S(a[0]).L.Unpack(a[1]);
        });
        t.AddMethod("unpack_from", (a, k) => UnpackFrom(S(a[0]).L, a.Slice(1), k, "unpack_from() missing required argument 'buffer' (pos 1)"));
        t.AddMethod("iter_unpack", (a, k) =>
        {
            if (a.Length != 2 || k != null) throw Ops.TypeError($"iter_unpack() takes exactly one argument ({a.Length - 1} given)");
            return S(a[0]).L.IterUnpack(a[1]);
        });
        t.AddMethod("__sizeof__", (a, k) => PyInt.Get(64 + 32 * S(a[0]).L.Items.Length));
        t.SetMember("format", new PyProperty(new PyBuiltinFunction("format", (a, k) => S(a[0]).FormatObj), null, null, null));
        t.SetMember("size", new PyProperty(new PyBuiltinFunction("size", (a, k) => PyInt.Get(S(a[0]).L.Size)), null, null, null));
        return t;
    }

    private static PyType CreateIterType()
    {
        var t = new PyType("unpack_iterator", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create '_struct.unpack_iterator' instances")) { ModuleName = "_struct" };
        t.AddMethod("__length_hint__", (a, k) => PyInt.Get(((UnpackIterator)a[0]).Remaining));
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        return t;
    }
}

/// <summary>A Struct object: its format and compiled layout (none until __init__ has run).</summary>
public sealed class PyStruct : PyObject
{
    private readonly PyType _type;
    private PyDict? _dict;
    internal StructLayout? Layout;
    internal PyObject FormatObj = PyNone.Instance;
    public PyStruct(PyType type) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => ReferenceEquals(_type, StructModule.StructType) ? null : _dict ??= new PyDict();
    internal StructLayout L => Layout ?? throw Ops.ValueError("Struct.__init__() was not called");
}

internal sealed class UnpackIterator : PyObject
{
    private readonly StructLayout _layout;
    private readonly PyObject _owner; // keeps the exporter alive and re-reads it: a bytearray may move when resized
    private int _offset;
    public UnpackIterator(StructLayout layout, PyObject owner) { _layout = layout; _owner = owner; }
    public override PyType Type => StructModule.UnpackIteratorType;
    public override PyObject Iter() => this;
    public int Remaining
    {
        get
        {
            Buffers.TryRead(_owner, out var data);
            return Math.Max(0, (data.Length - _offset) / _layout.Size);
        }
    }
    public override PyObject? Next()
    {
        Buffers.TryRead(_owner, out var data);
        if (_offset + _layout.Size > data.Length) return null;
        var r = _layout.UnpackSpan(data.Slice(_offset, _layout.Size));
        _offset += _layout.Size;
        return r;
    }
}

/// <summary>How a format character is converted; the range-error text depends on which C converter CPython uses.</summary>
internal enum ItemKind : byte { Pad, Char, Bool, Int, UInt, Pointer, Half, Float, Double, Str, Pascal }

/// <summary>Which CPython converter table a format item comes from, for the exact range-error text.</summary>
internal enum Converter : byte { Native, Standard, StandardBig8 }

internal readonly struct StructItem
{
    public readonly char Code;
    public readonly ItemKind Kind;
    public readonly Converter Conv;
    public readonly int Offset;
    public readonly int Size;
    public StructItem(char code, ItemKind kind, Converter conv, int offset, int size)
    { Code = code; Kind = kind; Conv = conv; Offset = offset; Size = size; }
}

/// <summary>A compiled format: items in order, total size, byte order. Immutable.</summary>
internal sealed class StructLayout
{
    public readonly StructItem[] Items;
    public readonly int Size;
    public readonly int ValueCount;
    public readonly bool BigEndian;
    public readonly bool NativeFloat; // '@': float overflow packs inf as a C cast would

    private StructLayout(StructItem[] items, int size, bool big, bool nativeFloat)
    {
        Items = items; Size = size; BigEndian = big; NativeFloat = nativeFloat;
        int n = 0;
        foreach (var it in items) if (it.Kind != ItemKind.Pad) n++;
        ValueCount = n;
    }

    public static StructLayout Compile(string fmt)
    {
        // CPython's prepare_s reads the format as a C string
        if (fmt.Contains('\0')) throw StructModule.Error("embedded null character");
        int i = 0;
        char order = fmt.Length > 0 ? fmt[0] : '@';
        bool native = true, big = !BitConverter.IsLittleEndian;
        switch (order)
        {
            case '@': i = 1; break;
            case '=': i = 1; native = false; big = !BitConverter.IsLittleEndian; break;
            case '<': i = 1; native = false; big = false; break;
            case '>': case '!': i = 1; native = false; big = true; break;
            default: break;
        }
        var items = new List<StructItem>();
        long size = 0;
        while (i < fmt.Length)
        {
            char c = fmt[i++];
            if (char.IsWhiteSpace(c) && c < 128) continue;
            long num = 1;
            if (c >= '0' && c <= '9')
            {
                num = c - '0';
                while (true)
                {
                    if (i >= fmt.Length) throw StructModule.Error("repeat count given without format specifier");
                    c = fmt[i++];
                    if (c < '0' || c > '9') break;
                    if (num >= (long.MaxValue - (c - '0')) / 10 || num * 10 + (c - '0') > int.MaxValue) throw StructModule.Error("total struct size too long");
                    num = num * 10 + (c - '0');
                }
            }
            if (!Describe(c, native, out var kind, out int isize))
                throw StructModule.Error("bad char in struct format");
            // The converter decides the error texts: CPython's little-endian host keeps native converters for
            // standard codes whose standard size equals the native one.
            Converter conv = native ? Converter.Native
                : !big && BitConverter.IsLittleEndian && NativeSizeMatches(c) ? Converter.Native
                : big && isize == 8 ? Converter.StandardBig8 : Converter.Standard;
            if (native && isize > 1 && kind != ItemKind.Str && kind != ItemKind.Pascal)
                size = (size + isize - 1) / isize * isize; // native alignment: each item on a multiple of its size
            if (kind == ItemKind.Str || kind == ItemKind.Pascal)
            {
                items.Add(new StructItem(c, kind, conv, (int)size, (int)num));
                size += num;
            }
            else if (kind == ItemKind.Pad)
            {
                if (num > 0) items.Add(new StructItem(c, kind, conv, (int)size, (int)num));
                size += num;
            }
            else
            {
                for (long j = 0; j < num; j++)
                {
                    if (size > int.MaxValue - isize) throw StructModule.Error("total struct size too long");
                    items.Add(new StructItem(c, kind, conv, (int)size, isize));
                    size += isize;
                }
            }
            if (size > int.MaxValue) throw StructModule.Error("total struct size too long");
        }
        return new StructLayout(items.ToArray(), (int)size, big, native);
    }

    private static bool NativeSizeMatches(char c) => c is 'b' or 'B' or 'c' or 's' or 'p' or 'x' or '?' or 'h' or 'H' or 'i' or 'I' or 'q' or 'Q' or 'e' or 'f' or 'd';

    private static bool Describe(char c, bool native, out ItemKind kind, out int size)
    {
        size = 1;
        kind = ItemKind.Int;
        switch (c)
        {
            case 'x': kind = ItemKind.Pad; return true;
            case 'c': kind = ItemKind.Char; return true;
            case 'b': return true;
            case 'B': kind = ItemKind.UInt; return true;
            case '?': kind = ItemKind.Bool; return true;
            case 'h': size = 2; return true;
            case 'H': size = 2; kind = ItemKind.UInt; return true;
            case 'i': size = 4; return true;
            case 'I': size = 4; kind = ItemKind.UInt; return true;
            case 'l': size = native ? 8 : 4; return true;
            case 'L': size = native ? 8 : 4; kind = ItemKind.UInt; return true;
            case 'q': size = 8; return true;
            case 'Q': size = 8; kind = ItemKind.UInt; return true;
            case 'n': size = 8; return native;
            case 'N': size = 8; kind = ItemKind.UInt; return native;
            case 'P': size = 8; kind = ItemKind.Pointer; return native;
            case 'e': size = 2; kind = ItemKind.Half; return true;
            case 'f': size = 4; kind = ItemKind.Float; return true;
            case 'd': size = 8; kind = ItemKind.Double; return true;
            case 's': kind = ItemKind.Str; return true;
            case 'p': kind = ItemKind.Pascal; return true;
        }
        return false;
    }

    // ---------------- packing ----------------

    public byte[] Pack(ReadOnlySpan<PyObject> values)
    {
        if (values.Length != ValueCount)
            throw StructModule.Error($"pack expected {ValueCount} items for packing (got {values.Length})");
        var result = new byte[Size];
        PackValues(values, result);
        return result;
    }

    /// <summary>pack_into(buffer, offset, v1, ...): CPython checks the arguments in this order, with these texts.</summary>
    public void PackInto(ReadOnlySpan<PyObject> a)
    {
        if (a.Length < 1) throw Ops.TypeError("pack_into expected buffer argument");
        if (a.Length < 2) throw Ops.TypeError("pack_into expected offset argument");
        if (a.Length - 2 != ValueCount)
            throw StructModule.Error($"pack_into expected {ValueCount} items for packing (got {a.Length - 2})");
        var target = Buffers.Write(a[0]);
        long offset = Ops.IndexValue(a[1]);
        int len = target.Length;
        if (offset < 0)
        {
            if (offset + Size > 0) throw StructModule.Error($"no space to pack {Size} bytes at offset {offset}");
            if (offset + len < 0) throw StructModule.Error($"offset {offset} out of range for {len}-byte buffer");
            offset += len;
        }
        if (len - offset < Size)
            throw StructModule.Error($"pack_into requires a buffer of at least {(ulong)Size + (ulong)offset} bytes for packing {Size} bytes at offset {offset} (actual buffer size is {len})");
        // Convert into scratch first: a failing value must leave the buffer untouched, and a value's __index__ may
        // resize the target, so the span is taken again afterwards.
        var scratch = new byte[Size];
        PackValues(a.Slice(2), scratch);
        var again = Buffers.Write(a[0]);
        if (again.Length < offset + Size) throw StructModule.Error("buffer was resized while packing");
        scratch.CopyTo(again.Slice((int)offset));
    }

    private void PackValues(ReadOnlySpan<PyObject> values, Span<byte> dst)
    {
        int v = 0;
        foreach (var it in Items)
        {
            if (it.Kind == ItemKind.Pad) continue; // the buffer is zeroed
            PackOne(it, values[v++], dst.Slice(it.Offset, it.Size));
        }
    }

    private void PackOne(in StructItem it, PyObject o, Span<byte> dst)
    {
        switch (it.Kind)
        {
            case ItemKind.Int: PackSigned(it, o, dst); return;
            case ItemKind.UInt: PackUnsigned(it, o, dst); return;
            case ItemKind.Pointer:
            {
                var big = IntArg(o);
                if (big < long.MinValue || big > ulong.MaxValue) throw StructModule.Error("int too large to convert");
                WriteU(dst, big.Sign < 0 ? unchecked((ulong)(long)big) : (ulong)big, 8);
                return;
            }
            case ItemKind.Bool: dst[0] = Ops.IsTrue(o) ? (byte)1 : (byte)0; return;
            case ItemKind.Char:
                if (o is PyBytes b && b is not PyByteArray && b.Span.Length == 1) { dst[0] = b.Span[0]; return; }
                throw StructModule.Error("char format requires a bytes object of length 1");
            case ItemKind.Str:
            case ItemKind.Pascal:
            {
                if (o is not PyBytes sb) throw StructModule.Error($"argument for '{it.Code}' must be a bytes object");
                var src = sb.Span;
                if (it.Kind == ItemKind.Str) { src.Slice(0, Math.Min(src.Length, it.Size)).CopyTo(dst); return; }
                if (it.Size == 0) return;
                int n = Math.Min(src.Length, it.Size - 1);
                src.Slice(0, n).CopyTo(dst.Slice(1));
                dst[0] = (byte)Math.Min(n, 255);
                return;
            }
            case ItemKind.Half:
            {
                double x = FloatArg(o);
                ushort bits;
                if (double.IsNaN(x)) bits = (ushort)(double.IsNegative(x) ? 0xFE00 : 0x7E00);
                else
                {
                    var h = (Half)x;
                    if (Half.IsInfinity(h) && !double.IsInfinity(x)) throw Ops.OverflowError("float too large to pack with e format");
                    bits = BitConverter.HalfToUInt16Bits(h);
                }
                WriteU(dst, bits, 2);
                return;
            }
            case ItemKind.Float:
            {
                double x = FloatArg(o);
                float f = (float)x;
                if (float.IsInfinity(f) && !double.IsInfinity(x) && !NativeFloat)
                    throw Ops.OverflowError("float too large to pack with f format");
                WriteU(dst, BitConverter.SingleToUInt32Bits(f), 4);
                return;
            }
            case ItemKind.Double:
                WriteU(dst, BitConverter.DoubleToUInt64Bits(FloatArg(o)), 8);
                return;
        }
    }

    private void PackSigned(in StructItem it, PyObject o, Span<byte> dst)
    {
        long x;
        if (o is PyInt pi && !pi.IsBig) x = pi.V;
        else
        {
            var big = IntArg(o);
            if (big < long.MinValue || big > long.MaxValue)
                throw StructModule.Error(it.Conv == Converter.StandardBig8 ? "int too large to convert" : "argument out of range");
            x = (long)big;
        }
        if (it.Size < 8)
        {
            long max = (1L << (it.Size * 8 - 1)) - 1, min = -max - 1;
            if (x < min || x > max) throw StructModule.Error(RangeText(it, min, (ulong)max));
        }
        WriteU(dst, unchecked((ulong)x), it.Size);
    }

    private void PackUnsigned(in StructItem it, PyObject o, Span<byte> dst)
    {
        // CPython's native 'B' and 'H' converters read a signed long and range-check it (so -1 gets the range
        // text); the others read an unsigned long, which rejects negatives as "argument out of range".
        bool signedRead = it.Conv == Converter.Native && it.Size < 4 || it.Code == 'B';
        BigInteger big;
        if (o is PyInt pi && !pi.IsBig) big = pi.V;
        else big = IntArg(o);
        if (it.Conv == Converter.StandardBig8 && (big.Sign < 0 || big > ulong.MaxValue)) throw StructModule.Error("int too large to convert");
        if (signedRead)
        {
            if (big < long.MinValue || big > long.MaxValue) throw StructModule.Error("argument out of range");
        }
        else if (big.Sign < 0 || big > ulong.MaxValue) throw StructModule.Error("argument out of range");
        if (it.Size < 8)
        {
            ulong max = (1UL << (it.Size * 8)) - 1;
            if (big.Sign < 0 || big > max) throw StructModule.Error(RangeText(it, 0, max));
        }
        WriteU(dst, (ulong)big, it.Size);
    }

    private static string RangeText(in StructItem it, long min, ulong max)
    {
        if (it.Code == 'b') return "byte format requires -128 <= number <= 127";
        if (it.Code == 'B') return "ubyte format requires 0 <= number <= 255";
        if (it.Conv == Converter.Native && it.Code == 'h') return "short format requires -32768 <= number <= 32767";
        if (it.Conv == Converter.Native && it.Code == 'H') return "ushort format requires 0 <= number <= 65535";
        return $"'{it.Code}' format requires {min} <= number <= {max}";
    }

    private static BigInteger IntArg(PyObject o)
    {
        if (o is PyInt i) return i.Big;
        if (o.Type.Lookup(PyStr.S___index__) == null) throw StructModule.Error("required argument is not an integer");
        return ((PyInt)Ops.Index(o)).Big;
    }

    private static double FloatArg(PyObject o)
    {
        if (o is PyFloat f) return f.V;
        if (o is PyInt i) return i.ToDouble();
        if (o.Type.Lookup(PyStr.S___float__) == null && o.Type.Lookup(PyStr.S___index__) == null)
            throw StructModule.Error("required argument is not a float");
        return TypeMethods.ToDouble(o);
    }

    private void WriteU(Span<byte> dst, ulong v, int size)
    {
        switch (size)
        {
            case 1: dst[0] = (byte)v; return;
            case 2: if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(dst, (ushort)v); return;
            case 4: if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(dst, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)v); return;
            default: if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(dst, v); else BinaryPrimitives.WriteUInt64LittleEndian(dst, v); return;
        }
    }

    private ulong ReadU(ReadOnlySpan<byte> src, int size) => size switch
    {
        1 => src[0],
        2 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(src) : BinaryPrimitives.ReadUInt16LittleEndian(src),
        4 => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(src) : BinaryPrimitives.ReadUInt32LittleEndian(src),
        _ => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(src) : BinaryPrimitives.ReadUInt64LittleEndian(src),
    };

    // ---------------- unpacking ----------------

    public PyObject Unpack(PyObject buffer)
    {
        var data = Buffers.Read(buffer);
        if (data.Length != Size) throw StructModule.Error($"unpack requires a buffer of {Size} bytes");
        return UnpackSpan(data);
    }

    public PyObject UnpackFrom(PyObject buffer, long offset)
    {
        var data = Buffers.Read(buffer);
        int len = data.Length;
        if (offset < 0)
        {
            if (offset + len < 0) throw StructModule.Error($"offset {offset} out of range for {len}-byte buffer");
            if (offset + Size > 0) throw StructModule.Error($"not enough data to unpack {Size} bytes at offset {offset}");
            offset += len;
        }
        if (len - offset < Size)
            throw StructModule.Error($"unpack_from requires a buffer of at least {(ulong)Size + (ulong)offset} bytes for unpacking {Size} bytes at offset {offset} (actual buffer size is {len})");
        return UnpackSpan(data.Slice((int)offset, Size));
    }

    public PyObject IterUnpack(PyObject buffer)
    {
        if (Size == 0) throw StructModule.Error("cannot iteratively unpack with a struct of length 0");
        var data = Buffers.Read(buffer);
        if (data.Length % Size != 0)
            throw StructModule.Error($"iterative unpacking requires a buffer of a multiple of {Size} bytes");
        return new UnpackIterator(this, buffer);
    }

    public PyObject UnpackSpan(ReadOnlySpan<byte> data)
    {
        var r = new PyObject[ValueCount];
        int v = 0;
        foreach (var it in Items)
        {
            if (it.Kind == ItemKind.Pad) continue;
            var s = data.Slice(it.Offset, it.Size);
            r[v++] = it.Kind switch
            {
                ItemKind.Int => PyInt.Get(SignExtend(ReadU(s, it.Size), it.Size)),
                ItemKind.UInt or ItemKind.Pointer => UInt(ReadU(s, it.Size)),
                ItemKind.Bool => PyBool.Of(s[0] != 0),
                ItemKind.Char => new PyBytes(new[] { s[0] }),
                ItemKind.Str => new PyBytes(s.ToArray()),
                ItemKind.Pascal => new PyBytes(it.Size == 0 ? Array.Empty<byte>() : s.Slice(1, Math.Min(s[0], it.Size - 1)).ToArray()),
                ItemKind.Half => new PyFloat((double)BitConverter.UInt16BitsToHalf((ushort)ReadU(s, 2))),
                ItemKind.Float => new PyFloat(BitConverter.UInt32BitsToSingle((uint)ReadU(s, 4))),
                _ => new PyFloat(BitConverter.UInt64BitsToDouble(ReadU(s, 8))),
            };
        }
        return new PyTuple(r);
    }

    private static long SignExtend(ulong v, int size) => size switch
    {
        1 => (sbyte)v,
        2 => (short)v,
        4 => (int)v,
        _ => unchecked((long)v),
    };

    private static PyInt UInt(ulong v) => v <= long.MaxValue ? PyInt.Get((long)v) : PyInt.Get(new BigInteger(v));
}
