using System;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>
/// libstdc++'s <c>std::string</c> and <c>std::vector&lt;T&gt;</c> read as Python <c>str</c> and <c>list</c> (copies:
/// read-only), from the layouts their DWARF describes, as gdb's pretty printers show them: a string is
/// <c>_M_dataplus._M_p</c> and <c>_M_string_length</c>; a vector is <c>_M_impl._M_start</c> up to
/// <c>_M_impl._M_finish</c> (members of base classes, found through them), its elements converted by their own type
/// (a vector of strings is a list of str). Anything else, <c>std::vector&lt;bool&gt;</c> included, stays an object.
/// </summary>
internal static class CxxStd
{
    private const int MaxElements = 1 << 24;

    public static bool IsString(StructType st) =>
        st.Tag is string t && t.StartsWith("basic_string<char", StringComparison.Ordinal) && st.TryGetMember("_M_string_length", out _);

    public static bool IsVector(StructType st) => st.Tag is string t && t.StartsWith("vector<", StringComparison.Ordinal);

    /// <summary>The value a std::string or std::vector at <paramref name="a"/> holds; false for other types.</summary>
    public static bool TryRead(nint a, StructType st, bool trusted, out PyObject value)
    {
        value = PyNone.Instance;
        if (st.Tag is not string tag || st.Module == null) return false;
        if (tag.StartsWith("basic_string<char", StringComparison.Ordinal) && TryString(a, st, trusted, out byte[]? bytes))
        {
            value = PyStr.Of(Decode(bytes!));
            return true;
        }
        if (tag.StartsWith("vector<", StringComparison.Ordinal) && TryVector(a, st, trusted, out nint start, out long count, out _, out CType? elem))
        {
            var items = new PyObject[count];
            long es = elem!.Size;
            for (long i = 0; i < count; i++) items[i] = NativeValues.Read(start + (nint)(i * es), elem, null, false);
            value = new PyList(items);
            return true;
        }
        return false;
    }

    public static bool TryString(nint a, StructType st, bool trusted, out byte[]? bytes)
    {
        bytes = null;
        if (!st.TryGetMember("_M_dataplus", out Member dp) || !st.TryGetMember("_M_string_length", out Member len)) return false;
        if (dp.Type.Unqualified is not StructType dps || !dps.TryGetMember("_M_p", out Member p)) return false;
        nint data = Mem.ReadPointer(a + (nint)(dp.Offset + p.Offset), trusted);
        long n = (long)Mem.ReadBits(a + (nint)len.Offset, 8, trusted);
        if (n < 0 || n > MaxElements) throw Ops.ValueError("std::string at 0x" + ((ulong)a).ToString("x") + " has length " + n + ": not a constructed string?");
        bytes = new byte[n];
        if (n > 0) Mem.Read(data, bytes, false);
        return true;
    }

    public static bool TryVector(nint a, StructType st, bool trusted, out nint start, out long count, out long capacity, out CType? elem)
    {
        start = 0; count = 0; capacity = 0; elem = null;
        if (!st.TryGetMember("_M_impl", out Member impl) || impl.Type.Unqualified is not StructType it) return false;
        if (!it.TryGetMember("_M_start", out Member s) || !it.TryGetMember("_M_finish", out Member f)) return false;
        if (s.Type.Unqualified is not PointerType pt || pt.Target.Size <= 0) return false;
        elem = pt.Target;
        nint at = a + (nint)impl.Offset;
        start = Mem.ReadPointer(at + (nint)s.Offset, trusted);
        nint finish = Mem.ReadPointer(at + (nint)f.Offset, trusted);
        long es = elem.Size;
        count = (finish - start) / es;
        if (it.TryGetMember("_M_end_of_storage", out Member e))
            capacity = (Mem.ReadPointer(at + (nint)e.Offset, trusted) - start) / es;
        if (count < 0 || count > MaxElements) throw Ops.ValueError("std::vector at 0x" + ((ulong)a).ToString("x") + " has " + count + " elements: not a constructed vector?");
        return true;
    }

    private static string Decode(byte[] b)
    {
        try { return new UTF8Encoding(false, true).GetString(b); }
        catch (DecoderFallbackException) { return Encoding.Latin1.GetString(b); }
    }
}
