using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>bytes/bytearray find, rfind, index, rindex, count, startswith, endswith and <c>in</c> (CPython's
/// Objects/bytes_methods.c): the sub argument is a bytes-like object (any buffer) or an int 0..255, start and end are
/// clamped slice indices (stringlib's ADJUST_INDICES).</summary>
public static partial class TypeMethods
{
    /// <summary>The sub argument: a buffer's bytes, or one byte from an integer (CPython's parse_args_finds_byte).</summary>
    private static ReadOnlySpan<byte> BytesSubArg(PyObject o)
    {
        if (Modules.Buffers.TryRead(o, out var bytes)) return bytes;
        if (o is not PyInt && o.Type.Lookup(PyStr.S___index__) == null)
            throw Ops.TypeError($"argument should be integer or bytes-like object, not '{o.Type.Name}'");
        var v = (PyInt)Ops.Index(o);
        if (v.IsBig || v.V < 0 || v.V > 255) throw Ops.ValueError("byte must be in range(0, 256)");
        return new[] { (byte)v.V };
    }

    /// <summary>start and end (arguments <paramref name="from"/>, from + 1; None means absent) as stringlib's
    /// ADJUST_INDICES: negative ones count from the end, end is cut to the length; start may exceed end.</summary>
    private static void BytesSearchBounds(int n, ReadOnlySpan<PyObject> a, int from, out int start, out int end)
    {
        long s = a.Length > from && a[from] is not PyNone ? Ops.IndexValueClamped(a[from]) : 0;
        long e = a.Length > from + 1 && a[from + 1] is not PyNone ? Ops.IndexValueClamped(a[from + 1]) : n;
        if (e > n) e = n;
        else if (e < 0) { e += n; if (e < 0) e = 0; }
        if (s < 0) { s += n; if (s < 0) s = 0; }
        start = (int)Math.Min(s, int.MaxValue); end = (int)e;
    }

    /// <summary>find (or rfind) over a[0] of a[1] within a[2]:a[3]; -1 when absent.</summary>
    private static int BytesSearch(ReadOnlySpan<PyObject> a, bool reverse)
    {
        var s = B(a[0]).Span;
        var sub = BytesSubArg(a[1]);
        BytesSearchBounds(s.Length, a, 2, out int start, out int end);
        if (end - start < sub.Length) return -1;
        var window = s.Slice(start, end - start);
        int r = reverse ? window.LastIndexOf(sub) : window.IndexOf(sub);
        return r < 0 ? -1 : r + start;
    }

    private static int BytesCount(ReadOnlySpan<PyObject> a)
    {
        var s = B(a[0]).Span;
        var sub = BytesSubArg(a[1]);
        BytesSearchBounds(s.Length, a, 2, out int start, out int end);
        if (end - start < sub.Length) return 0;
        if (sub.Length == 0) return end - start + 1;
        var window = s.Slice(start, end - start);
        int c = 0;
        while (true)
        {
            int j = window.IndexOf(sub);
            if (j < 0) return c;
            c++;
            window = window.Slice(j + sub.Length);
        }
    }

    /// <summary>startswith/endswith: a bytes-like prefix or a tuple of them, within start:end.</summary>
    private static bool BytesAffix(ReadOnlySpan<PyObject> a, string method, bool suffix)
    {
        var s = B(a[0]).Span;
        BytesSearchBounds(s.Length, a, 2, out int start, out int end);
        if (a[1] is PyTuple t)
        {
            foreach (var item in t.Items)
            {
                if (!Modules.Buffers.TryRead(item, out var affix))
                    throw Ops.TypeError($"a bytes-like object is required, not '{item.Type.Name}'");
                if (Matches(s, affix, start, end, suffix)) return true;
            }
            return false;
        }
        if (!Modules.Buffers.TryRead(a[1], out var one))
            throw Ops.TypeError($"{method} first arg must be bytes or a tuple of bytes, not {a[1].Type.Name}");
        return Matches(s, one, start, end, suffix);
    }

    private static bool Matches(ReadOnlySpan<byte> s, ReadOnlySpan<byte> affix, int start, int end, bool suffix)
    {
        if (start > s.Length || end - start < affix.Length) return false;
        var window = s.Slice(start, end - start);
        return suffix ? window.EndsWith(affix) : window.StartsWith(affix);
    }

    /// <summary>bytes.fromhex: pairs of hex digits, ASCII whitespace allowed between pairs (CPython's _PyBytes_FromHex).</summary>
    private static byte[] FromHex(string s)
    {
        var r = new System.Collections.Generic.List<byte>(s.Length / 2);
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == ' ' || (c >= '\t' && c <= '\r')) { i++; continue; }
            int hi = BytesHexDigit(c);
            if (hi < 0) throw NonHex(i);
            int lo = i + 1 < s.Length ? BytesHexDigit(s[i + 1]) : -1;
            if (lo < 0) throw NonHex(i + 1);
            r.Add((byte)(hi * 16 + lo));
            i += 2;
        }
        return r.ToArray();
    }

    private static int BytesHexDigit(char c) => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    private static PyException NonHex(int position) => Ops.ValueError($"non-hexadecimal number found in fromhex() arg at position {position}");

    private static void InitBytesSearch()
    {
        foreach (var t in new[] { PyBytes.TypeObj, PyByteArray.TypeObj })
        {
            t.AddMethod("find", (a, k) => PyInt.Get(BytesSearch(a, false)));
            t.AddMethod("rfind", (a, k) => PyInt.Get(BytesSearch(a, true)));
            t.AddMethod("index", (a, k) => { int r = BytesSearch(a, false); return r >= 0 ? PyInt.Get(r) : throw Ops.ValueError("subsection not found"); });
            t.AddMethod("rindex", (a, k) => { int r = BytesSearch(a, true); return r >= 0 ? PyInt.Get(r) : throw Ops.ValueError("subsection not found"); });
            t.AddMethod("count", (a, k) => PyInt.Get(BytesCount(a)));
            t.AddMethod("startswith", (a, k) => PyBool.Of(BytesAffix(a, "startswith", false)));
            t.AddMethod("endswith", (a, k) => PyBool.Of(BytesAffix(a, "endswith", true)));
        }
        // pickling an instance of a subclass: bytes through __getnewargs__ (copyreg.__newobj__(cls, bytes(self))),
        // bytearray through its own __reduce_ex__ (CPython's bytearray _common_reduce)
        PyBytes.TypeObj.AddMethod("__getnewargs__", (a, k) => new PyTuple(new PyObject[] { new PyBytes(B(a[0]).Span.ToArray()) }));
        NativeFn reduce = (a, k) =>
        {
            var self = B(a[0]);
            long proto = a.Length > 1 ? Ops.IndexValue(a[1]) : 0;
            PyObject state = self.Dict is { Count: > 0 } d ? d : PyNone.Instance;
            PyObject args = proto < 3
                ? new PyTuple(new PyObject[] { new PyStr(Latin1.GetString(self.Span)), new PyStr("latin-1") })
                : self.Span.Length > 0 ? new PyTuple(new PyObject[] { new PyBytes(self.Span.ToArray()) }) : PyTuple.Empty;
            return new PyTuple(new PyObject[] { self.Type, args, state });
        };
        PyByteArray.TypeObj.AddMethod("__reduce_ex__", reduce);
        PyByteArray.TypeObj.AddMethod("__reduce__", (a, k) => reduce(a.Slice(0, 1), null));
        {
        }
    }
}
