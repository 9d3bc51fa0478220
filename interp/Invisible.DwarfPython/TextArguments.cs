using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>
/// The C copy of a <c>str</c> (or of a <c>bytes</c> passed where C takes <c>const char *</c>) lives as long as the
/// Python object does, as a ctypes <c>bytes</c> argument's buffer does: a pointer C keeps into it (strtol's
/// <c>endptr</c>, strtok's and strchr's results) stays valid for the caller after the call returns.
/// For a <c>const</c> pointee one copy per object serves every call (C may not write through it); for a non-const
/// <c>char *</c> each call gets a fresh copy (C may write into it, and the next call must see the original text),
/// also kept until the object goes. Copies are NUL-terminated UTF-8 on the C heap, freed when the object is
/// collected (a finalizable holder in a <see cref="ConditionalWeakTable{TKey, TValue}"/>).
/// </summary>
internal static unsafe class TextArguments
{
    private sealed class Copies
    {
        public nint Shared;
        public List<nint>? Fresh;

        ~Copies()
        {
            if (Shared != 0) NativeMemory.Free((void*)Shared);
            if (Fresh != null) foreach (nint p in Fresh) NativeMemory.Free((void*)p);
        }
    }

    private static readonly ConditionalWeakTable<PyObject, Copies> Table = new();

    /// <summary>The one copy for const pointees; 0 when the text cannot be passed so (a str with an embedded NUL:
    /// the general path words the error).</summary>
    public static nint Shared(PyObject v)
    {
        Copies c = Table.GetValue(v, static _ => new Copies());
        nint p = Volatile.Read(ref c.Shared);
        if (p != 0) return p;
        p = Make(v);
        if (p == 0) return 0;
        nint prev = Interlocked.CompareExchange(ref c.Shared, p, 0);
        if (prev != 0) { NativeMemory.Free((void*)p); return prev; }
        return p;
    }

    /// <summary>A new copy for a pointee C may write; 0 as for <see cref="Shared"/>.</summary>
    public static nint Fresh(PyObject v)
    {
        nint p = Make(v);
        if (p == 0) return 0;
        Copies c = Table.GetValue(v, static _ => new Copies());
        lock (c) (c.Fresh ??= new List<nint>()).Add(p);
        return p;
    }

    private static unsafe nint Make(PyObject v)
    {
        if (v is PyStr s)
        {
            string t = s.Value;
            if (t.Contains('\0')) return 0;
            int n = Encoding.UTF8.GetByteCount(t);
            byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
            Encoding.UTF8.GetBytes(t, new Span<byte>(p, n));
            p[n] = 0;
            return (nint)p;
        }
        if (v.GetType() == typeof(PyBytes))
        {
            ReadOnlySpan<byte> d = Unsafe.As<PyBytes>(v).Span;
            byte* p = (byte*)NativeMemory.Alloc((nuint)d.Length + 1);
            d.CopyTo(new Span<byte>(p, d.Length));
            p[d.Length] = 0;
            return (nint)p;
        }
        return 0;
    }
}
