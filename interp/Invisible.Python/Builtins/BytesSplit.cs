using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>bytes/bytearray split, rsplit, strip, lstrip, rstrip and join over bytes (CPython's stringlib split.h
/// and bytes_methods.c): separators and strip sets are any buffer (memoryview included), whitespace is ASCII's
/// (space, \t \n \v \f \r), maxsplit counts from the left for split and from the right for rsplit.</summary>
public static partial class TypeMethods
{
    private static readonly ArgParser BytesSplitArgs = new("split", "sep=None, maxsplit=-1");
    private static readonly ArgParser BytesRSplitArgs = new("rsplit", "sep=None, maxsplit=-1");

    /// <summary>A separator or strip-set argument: null for None, else a buffer's bytes (CPython's "a bytes-like
    /// object is required, not 'str'").</summary>
    private static byte[]? BytesOptionalBuffer(PyObject? o)
    {
        if (o == null || o == PyNone.Instance) return null;
        if (Modules.Buffers.TryRead(o, out var bytes)) return bytes.ToArray();
        throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");
    }

    private static PyList BytesSplit(ReadOnlySpan<PyObject> a, PyStr[]? k, bool fromRight, Func<byte[], PyObject> mk)
    {
        var args = (fromRight ? BytesRSplitArgs : BytesSplitArgs).Parse(a.Slice(1), k);
        var s = B(a[0]).Span;
        var sep = BytesOptionalBuffer(args[0]);
        long max = args.Has(1) ? ArgParser.ToSsize(args[1]!) : -1;
        if (max < 0) max = long.MaxValue;
        var parts = new PyList();
        if (sep == null)
        {
            if (!fromRight)
            {
                int i = 0, n = s.Length;
                while (max-- > 0)
                {
                    while (i < n && IsAsciiSpace(s[i])) i++;
                    if (i == n) break;
                    int j = i;
                    while (i < n && !IsAsciiSpace(s[i])) i++;
                    parts.Append(mk(s.Slice(j, i - j).ToArray()));
                }
                while (i < n && IsAsciiSpace(s[i])) i++;
                if (i < n) parts.Append(mk(s.Slice(i).ToArray()));
            }
            else
            {
                int i = s.Length - 1;
                while (max-- > 0)
                {
                    while (i >= 0 && IsAsciiSpace(s[i])) i--;
                    if (i < 0) break;
                    int j = i;
                    while (i >= 0 && !IsAsciiSpace(s[i])) i--;
                    parts.Append(mk(s.Slice(i + 1, j - i).ToArray()));
                }
                while (i >= 0 && IsAsciiSpace(s[i])) i--;
                if (i >= 0) parts.Append(mk(s.Slice(0, i + 1).ToArray()));
                parts.Items.AsSpan(0, parts.Count).Reverse();
            }
            return parts;
        }
        if (sep.Length == 0) throw Ops.ValueError("empty separator");
        if (!fromRight)
        {
            int i = 0;
            while (max-- > 0)
            {
                int j = s.Slice(i).IndexOf(sep);
                if (j < 0) break;
                parts.Append(mk(s.Slice(i, j).ToArray()));
                i += j + sep.Length;
            }
            parts.Append(mk(s.Slice(i).ToArray()));
        }
        else
        {
            int end = s.Length;
            while (max-- > 0)
            {
                int j = s.Slice(0, end).LastIndexOf(sep);
                if (j < 0) break;
                parts.Append(mk(s.Slice(j + sep.Length, end - j - sep.Length).ToArray()));
                end = j;
            }
            parts.Append(mk(s.Slice(0, end).ToArray()));
            parts.Items.AsSpan(0, parts.Count).Reverse();
        }
        return parts;
    }

    /// <summary>strip/lstrip/rstrip([bytes]): ASCII whitespace, or the bytes of any buffer.</summary>
    private static byte[] BytesStrip(ReadOnlySpan<PyObject> a, PyStr[]? k, string name, bool left, bool right)
    {
        ArgParser.NoKeywords(name, k);
        if (a.Length > 2) throw Ops.TypeError($"{name} expected at most 1 argument, got {a.Length - 1}");
        var s = B(a[0]).Span;
        var set = BytesOptionalBuffer(a.Length > 1 ? a[1] : null);
        bool Strip(byte b) => set == null ? IsAsciiSpace(b) : Array.IndexOf(set, b) >= 0;
        int i = 0, j = s.Length;
        if (left) while (i < j && Strip(s[i])) i++;
        if (right) while (j > i && Strip(s[j - 1])) j--;
        return s.Slice(i, j - i).ToArray();
    }

    /// <summary>join(iterable_of_bytes): every item a buffer (CPython's "sequence item 1: expected a bytes-like
    /// object, str found").</summary>
    private static byte[] BytesJoin(ReadOnlySpan<PyObject> a)
    {
        if (a.Length != 2) throw Ops.TypeError($"join() takes exactly one argument ({a.Length - 1} given)");
        var sep = B(a[0]).Span.ToArray();
        var items = Ops.ToArray(a[1]);
        var chunks = new byte[items.Length][];
        long total = 0;
        for (int i = 0; i < items.Length; i++)
        {
            if (!Modules.Buffers.TryRead(items[i], out var item))
                throw Ops.TypeError($"sequence item {i}: expected a bytes-like object, {items[i].Type.Name} found");
            chunks[i] = item.ToArray();
            total += chunks[i].Length + (i > 0 ? sep.Length : 0);
        }
        if (total > Array.MaxLength) throw Ops.OverflowError("join() result is too long for a Python bytes");
        var result = new byte[total];
        int at = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            if (i > 0) { sep.CopyTo(result, at); at += sep.Length; }
            chunks[i].CopyTo(result, at);
            at += chunks[i].Length;
        }
        return result;
    }

    private static void InitBytesSplit()
    {
        foreach (var t in new[] { PyBytes.TypeObj, PyByteArray.TypeObj })
        {
            bool isBA = t == PyByteArray.TypeObj;
            PyObject Mk(byte[] d) => isBA ? new PyByteArray(d) : new PyBytes(d);
            t.AddMethod("split", (a, k) => BytesSplit(a, k, false, Mk));
            t.AddMethod("rsplit", (a, k) => BytesSplit(a, k, true, Mk));
            t.AddMethod("strip", (a, k) => Mk(BytesStrip(a, k, "strip", true, true)));
            t.AddMethod("lstrip", (a, k) => Mk(BytesStrip(a, k, "lstrip", true, false)));
            t.AddMethod("rstrip", (a, k) => Mk(BytesStrip(a, k, "rstrip", false, true)));
            t.AddMethod("join", (a, k) => Mk(BytesJoin(a)));
        }
    }
}
