using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Invisible.Python.Runtime;

public class PyStr : PyObject
{
    public static PyType TypeObj = null!;
    public readonly string Value;
    /// <summary>Cached <see cref="Hash"/>; 0 means not computed yet (a real hash of 0, e.g. of "", is just recomputed).</summary>
    private long _hash;
    private static readonly Dictionary<string, PyStr> InternTable = new();
    private static readonly PyStr[] CharCache = MakeChars();
    public static readonly PyStr Empty = new("");

    private static PyStr[] MakeChars()
    {
        var a = new PyStr[256];
        for (int i = 0; i < 256; i++) a[i] = new PyStr(((char)i).ToString());
        return a;
    }

    public PyStr(string v) { Value = v; }

    public static PyStr Of(string s)
    {
        if (s.Length == 1 && s[0] < 256) return CharCache[s[0]];
        if (s.Length == 0) return Empty;
        return new PyStr(s);
    }
    public static PyStr Char(char c) => c < 256 ? CharCache[c] : new PyStr(c.ToString());

    /// <summary>The text of code point <paramref name="codePoint"/> (0..0x10FFFF, checked by the caller). A lone
    /// surrogate (0xD800..0xDFFF) is one UTF-16 unit, as CPython keeps it, where
    /// <see cref="char.ConvertFromUtf32"/> would throw.</summary>
    public static string CodePointText(int codePoint) =>
        codePoint < 0x10000 ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint);

    public static PyStr Intern(string s)
    {
        lock (InternTable)
        {
            if (InternTable.TryGetValue(s, out var p)) return p;
            p = new PyStr(s);
            InternTable[s] = p;
            return p;
        }
    }

    public static readonly PyStr S___init__ = Intern("__init__"), S___new__ = Intern("__new__"), S___call__ = Intern("__call__"),
        S___get__ = Intern("__get__"), S___set__ = Intern("__set__"), S___delete__ = Intern("__delete__"),
        S___getattr__ = Intern("__getattr__"), S___getattribute__ = Intern("__getattribute__"), S___setattr__ = Intern("__setattr__"), S___delattr__ = Intern("__delattr__"),
        S___getitem__ = Intern("__getitem__"), S___setitem__ = Intern("__setitem__"), S___delitem__ = Intern("__delitem__"),
        S___iter__ = Intern("__iter__"), S___next__ = Intern("__next__"), S___len__ = Intern("__len__"), S___bool__ = Intern("__bool__"),
        S___repr__ = Intern("__repr__"), S___str__ = Intern("__str__"), S___hash__ = Intern("__hash__"), S___eq__ = Intern("__eq__"),
        S___ne__ = Intern("__ne__"), S___lt__ = Intern("__lt__"), S___le__ = Intern("__le__"), S___gt__ = Intern("__gt__"), S___ge__ = Intern("__ge__"),
        S___contains__ = Intern("__contains__"), S___enter__ = Intern("__enter__"), S___exit__ = Intern("__exit__"),
        S___class__ = Intern("__class__"), S___dict__ = Intern("__dict__"), S___name__ = Intern("__name__"), S___format__ = Intern("__format__"),
        S___neg__ = Intern("__neg__"), S___pos__ = Intern("__pos__"), S___invert__ = Intern("__invert__"), S___abs__ = Intern("__abs__"),
        S___index__ = Intern("__index__"), S___int__ = Intern("__int__"), S___float__ = Intern("__float__"), S___missing__ = Intern("__missing__"),
        S___set_name__ = Intern("__set_name__"), S___init_subclass__ = Intern("__init_subclass__"), S___module__ = Intern("__module__"),
        S___qualname__ = Intern("__qualname__"), S___doc__ = Intern("__doc__"), S___reversed__ = Intern("__reversed__"), S___round__ = Intern("__round__"),
        S___class_getitem__ = Intern("__class_getitem__"), S___slots__ = Intern("__slots__"), S___complex__ = Intern("__complex__");

    public override PyType Type => TypeObj;
    public override string Repr() => Formatting.StrRepr(Value);
    public override string Str() => Value;
    public override bool IsTrue() => Value.Length != 0;
    public override bool HasLen => true;
    public override int Len() => Value.Length;
    public override long Hash()
    {
        long h = _hash;
        if (h == 0) _hash = h = CPythonHash.Str(Value);
        return h;
    }
    public override bool Equals(object? obj) => obj is PyStr s && (ReferenceEquals(s, this) || s.Value == Value);
    public override int GetHashCode() => (int)Hash();

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyStr s) return null;
        if (op == CmpOp.Eq) return PyBool.Of(ReferenceEquals(this, s) || Value == s.Value);
        if (op == CmpOp.Ne) return PyBool.Of(!(ReferenceEquals(this, s) || Value == s.Value));
        return PyBool.Of(Ops.CmpResult(string.CompareOrdinal(Value, s.Value), op));
    }

    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add && other is PyStr s) return Of(string.Concat(Value, s.Value));
        if (op == Runtime.BinOp.Mul && other is PyInt n) return Repeat(n);
        if (op == Runtime.BinOp.Mod) return new PyStr(Formatting.PercentFormat(Value, other));
        return null;
    }
    public override PyObject? RBinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Mul && other is PyInt n) return Repeat(n);
        return null;
    }
    private PyStr Repeat(PyInt n)
    {
        if (n.IsBig && n.Sign > 0) throw Ops.OverflowError("cannot fit 'int' into an index-sized integer");
        long c = n.IsBig ? 0 : n.V;
        if (c <= 0 || Value.Length == 0) return Empty;
        if (c * Value.Length > int.MaxValue) throw Ops.MemoryError();
        var sb = new StringBuilder(Value.Length * (int)c);
        for (long i = 0; i < c; i++) sb.Append(Value);
        return Of(sb.ToString());
    }

    public override bool? Contains(PyObject item)
    {
        if (item is not PyStr s) throw Ops.TypeError($"'in <string>' requires string as left operand, not {item.Type.Name}");
        return Value.Contains(s.Value, StringComparison.Ordinal);
    }

    public override PyObject GetItem(PyObject key)
    {
        if (key is PyInt i)
        {
            long idx = Ops.IndexValue(i);
            if (idx < 0) idx += Value.Length;
            if (idx < 0 || idx >= Value.Length) throw Ops.IndexError("string index out of range");
            return Char(Value[(int)idx]);
        }
        if (key is PySlice sl)
        {
            sl.Indices(Value.Length, out int start, out int stop, out int step, out int len);
            if (step == 1) return Of(len <= 0 ? "" : Value.Substring(start, len));
            var sb = new StringBuilder(len);
            for (int k = 0, j = start; k < len; k++, j += step) sb.Append(Value[j]);
            return Of(sb.ToString());
        }
        if (key.Type.Lookup(PyStr.S___index__) != null) return GetItem(Ops.Index(key));
        throw Ops.TypeError($"string indices must be integers, not '{key.Type.Name}'");
    }

    public override PyObject Iter() => new PyStrIterator(Value);
}

public sealed class PyStrIterator : PyObject
{
    public static PyType TypeObj = null!;
    private readonly string _s;
    private int _i;
    public PyStrIterator(string s) { _s = s; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => _i < _s.Length ? PyStr.Char(_s[_i++]) : null;
    /// <summary>For __reduce__ (CPython's unicodeiter_reduce): the string and the position in it.</summary>
    public (string Str, int Index) State => (_s, _i);
    /// <summary>__setstate__: the position, clamped to the string.</summary>
    public void SetState(long index) => _i = (int)Math.Clamp(index, 0, _s.Length);
}

public class PyBytes : PyObject
{
    public static PyType TypeObj = null!;
    public readonly byte[] V;
    /// <summary>The class of an instance of a bytes or bytearray subclass (null: the built-in type itself).</summary>
    protected PyType? SubType;
    private PyDict? _dict;
    public PyBytes(byte[] v) { V = v; }
    public PyBytes(byte[] v, PyType type) { V = v; if (type != TypeObj) SubType = type; }
    public override PyType Type => SubType ?? TypeObj;
    public override PyDict? Dict => SubType is { IsHeap: true } ? _dict ??= new PyDict() : null;
    public virtual ReadOnlySpan<byte> Span => V;
    public override string Repr() => "b" + Formatting.BytesRepr(Span);
    public override bool IsTrue() => Span.Length != 0;
    public override bool HasLen => true;
    public override int Len() => Span.Length;
    public override long Hash() => CPythonHash.Bytes(Span);
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyBytes b) return null;
        return PyBool.Of(Ops.CmpResult(Span.SequenceCompareTo(b.Span), op));
    }
    protected virtual PyObject Make(byte[] data) => new PyBytes(data);
    /// <summary>`n * b`: repetition is commutative (CPython's sq_repeat is tried for either operand).</summary>
    public override PyObject? RBinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Mul && other is PyInt ? BinOp(op, other) : null;
    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add && other is PyBytes b)
        {
            var r = new byte[Span.Length + b.Span.Length];
            Span.CopyTo(r); b.Span.CopyTo(r.AsSpan(Span.Length));
            return Make(r);
        }
        if (op == Runtime.BinOp.Mul && other is PyInt n)
        {
            if (n.IsBig) throw Ops.OverflowError("cannot fit 'int' into an index-sized integer");
            long c = Math.Max(0, n.V);
            if (c == 1 && GetType() == typeof(PyBytes) && SubType == null) return this; // b * 1 is b, as CPython
            if (c > 0 && Span.Length > Array.MaxLength / c) throw Ops.OverflowError("repeated bytes are too long");
            var r = new byte[Span.Length * c];
            for (int i = 0; i < c; i++) Span.CopyTo(r.AsSpan(i * Span.Length));
            return Make(r);
        }
        if (op == Runtime.BinOp.Mod)
            return Make(Encoding.Latin1.GetBytes(Formatting.PercentFormat(Encoding.Latin1.GetString(Span), other, true)));
        return null;
    }
    public override bool? Contains(PyObject item)
    {
        if (item is PyInt i)
        {
            if (i.IsBig || i.V < 0 || i.V > 255) throw Ops.ValueError("byte must be in range(0, 256)");
            return Span.IndexOf((byte)i.V) >= 0;
        }
        if (item is PyBytes b) return Span.IndexOf(b.Span) >= 0;
        if (Modules.Buffers.TryRead(item, out var buffer)) return Span.IndexOf(buffer) >= 0; // memoryview, array
        throw Ops.TypeError("a bytes-like object is required, not '" + item.Type.Name + "'");
    }
    public override PyObject GetItem(PyObject key)
    {
        var s = Span;
        if (key is PyInt i)
        {
            long idx = Ops.IndexValue(i);
            if (idx < 0) idx += s.Length;
            if (idx < 0 || idx >= s.Length) throw Ops.IndexError("index out of range");
            return PyInt.Get(s[(int)idx]);
        }
        if (key is PySlice sl)
        {
            sl.Indices(s.Length, out int start, out _, out int step, out int len);
            var r = new byte[Math.Max(0, len)];
            for (int k = 0, j = start; k < len; k++, j += step) r[k] = s[j];
            return Make(r);
        }
        throw Ops.TypeError($"byte indices must be integers or slices, not {key.Type.Name}");
    }
    public override PyObject Iter()
    {
        var items = new PyObject[Span.Length];
        for (int i = 0; i < items.Length; i++) items[i] = PyInt.Get(Span[i]);
        return new PySeqIterator(items, items.Length);
    }
}

public sealed partial class PyByteArray : PyBytes
{
    public static new PyType TypeObj = null!;
    public byte[] Buf;
    public int Count;
    public PyByteArray(byte[] data) : base(Array.Empty<byte>()) { Buf = data; Count = data.Length; }
    public PyByteArray(byte[] data, PyType type) : this(data) { if (type != TypeObj) SubType = type; }
    public override PyType Type => SubType ?? TypeObj;
    public override ReadOnlySpan<byte> Span => new(Buf, 0, Count);
    public override string Repr() => (SubType?.Name ?? "bytearray") + "(b" + Formatting.BytesRepr(Span, true) + ")"; // a subclass shows its name
    public override bool Hashable => false;
    public override long Hash() => throw Ops.TypeError("unhashable type: 'bytearray'");
    protected override PyObject Make(byte[] data) => new PyByteArray(data);
    public void Append(byte b)
    {
        if (_exports != null) CheckResizable();
        if (Count == Buf.Length) Array.Resize(ref Buf, Math.Max(8, Count * 2));
        Buf[Count++] = b;
    }
    public override PyObject Iter() => new PyByteArrayIterator(this);
}

/// <summary>CPython 3.11's hash of str and bytes with hash randomization off (PYTHONHASHSEED=0), so sets and dicts of
/// strings iterate in CPython's order: SipHash-1-3 (one compression round per 8-byte word, three finalization rounds)
/// keyed with 128 zero bits. A str is hashed over its PEP 393 buffer: 1 byte per code point if all are below 256,
/// else 2 bytes (little-endian) if all are below 65536, else 4 bytes; our strings are UTF-16, so a surrogate pair
/// counts as one code point and a lone surrogate as itself. The empty string hashes to 0, and -1 (CPython's error
/// marker) becomes -2.</summary>
internal static class CPythonHash
{
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps PyStr.Hash's cached path a few instructions
    public static long Str(string s)
    {
        ReadOnlySpan<char> span = s;
        int n = span.Length;
        if (n == 0) return 0;
        // Optimistically latin-1 (the common case): 8 chars are narrowed into one word as they are hashed, and the
        // chars are OR-ed together so a char >= 256 is noticed at the end without a separate scan.
        var sip = Sip.Start();
        ref byte p = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(span));
        ulong seen = 0;
        int i = 0;
        for (; n - i >= 8; i += 8)
        {
            ulong lo = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 2 * i));
            ulong hi = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 2 * i + 8));
            seen |= lo | hi;
            sip.Word(Narrow4(lo) | Narrow4(hi) << 32);
        }
        ulong last = (ulong)n << 56; // the length's low byte goes into the top of the last word
        for (int j = 0; i + j < n; j++)
        {
            char c = span[i + j];
            seen |= c;
            last |= (ulong)(byte)c << (8 * j);
        }
        if ((seen & 0xFF00_FF00_FF00_FF00UL) == 0) return sip.Finish(last);
        int sur = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (sur < 0 || !HasPair(span.Slice(sur)))
            return Bytes(MemoryMarshal.AsBytes(span)); // UCS-2 is our UTF-16 buffer as is (x64: little-endian)
        return Ucs4(span);
    }

    /// <summary>Four UTF-16 code units (all below 256) in a little-endian word, narrowed to four bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Narrow4(ulong x)
    {
        x = (x | x >> 8) & 0x0000_FFFF_0000_FFFFUL;
        return (x | x >> 16) & 0xFFFF_FFFFUL;
    }

    private static bool HasPair(ReadOnlySpan<char> s)
    {
        for (int i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) return true;
        return false;
    }

    private static long Ucs4(ReadOnlySpan<char> s)
    {
        uint[] cps = ArrayPool<uint>.Shared.Rent(s.Length);
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                cps[n++] = (uint)char.ConvertToUtf32(c, s[++i]);
            else cps[n++] = c;
        }
        long h = Bytes(MemoryMarshal.AsBytes(cps.AsSpan(0, n)));
        ArrayPool<uint>.Shared.Return(cps);
        return h;
    }

    public static long Bytes(ReadOnlySpan<byte> data)
    {
        int len = data.Length;
        if (len == 0) return 0;
        var sip = Sip.Start();
        int i = 0;
        for (; len - i >= 8; i += 8) sip.Word(BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
        ulong last = (ulong)len << 56;
        for (int j = 0; i + j < len; j++) last |= (ulong)data[i + j] << (8 * j);
        return sip.Finish(last);
    }

    /// <summary>SipHash-1-3 state; kept in registers (four fields, a local, methods inlined).</summary>
    private struct Sip
    {
        private ulong _v0, _v1, _v2, _v3;

        // The key is zero, so the initial state is SipHash's constants ("somepseudorandomlygeneratedbytes").
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Sip Start() => new() { _v0 = 0x736f6d6570736575UL, _v1 = 0x646f72616e646f6dUL, _v2 = 0x6c7967656e657261UL, _v3 = 0x7465646279746573UL };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Word(ulong m)
        {
            _v3 ^= m;
            Round();
            _v0 ^= m;
        }

        /// <summary>Hashes the last word (the tail bytes and the length) and finalizes; -1 becomes -2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Finish(ulong last)
        {
            Word(last);
            _v2 ^= 0xff;
            Round(); Round(); Round();
            long h = (long)(_v0 ^ _v1 ^ _v2 ^ _v3);
            return h == -1 ? -2 : h;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Round()
        {
            _v0 += _v1; _v2 += _v3;
            _v1 = BitOperations.RotateLeft(_v1, 13) ^ _v0;
            _v3 = BitOperations.RotateLeft(_v3, 16) ^ _v2;
            _v0 = BitOperations.RotateLeft(_v0, 32);
            _v2 += _v1; _v0 += _v3;
            _v1 = BitOperations.RotateLeft(_v1, 17) ^ _v2;
            _v3 = BitOperations.RotateLeft(_v3, 21) ^ _v0;
            _v2 = BitOperations.RotateLeft(_v2, 32);
        }
    }
}
