using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Invisible.Abi.Symbolization;

/// <summary>
/// Names people read: C++ symbols through libstdc++'s <c>__cxa_demangle</c> (as heaptrack, memray and valgrind
/// show them: <c>main::{lambda()#1}::operator()() const</c>), loaded lazily with dlopen the first time a mangled
/// name is seen, so a plain C program never needs libstdc++; Rust's legacy symbols (<c>_ZN...17h&lt;hash&gt;E</c>)
/// decoded here, hash dropped, <c>$LT$</c>-style escapes undone, as rustc-demangle prints them without <c>{:#}</c>.
/// Rust v0 symbols (<c>_R...</c>) through <see cref="RustV0Demangler"/>, in the same form (crate hashes dropped).
/// </summary>
public static unsafe class Demangler
{
    private static readonly object Gate = new();
    private static bool _loaded;
    private static delegate* unmanaged<byte*, byte*, nuint*, int*, byte*> _cxaDemangle;

    /// <summary>The demangled name, or <paramref name="name"/> itself when it is not mangled or cannot be.</summary>
    public static string Demangle(string name)
    {
        if (name.StartsWith("_R", StringComparison.Ordinal)) return RustV0Demangler.Demangle(name) ?? name;
        if (!name.StartsWith("_Z", StringComparison.Ordinal)) return name;
        string? rust = RustLegacy(name);
        if (rust is not null) return rust;
        return Cxx(name) ?? name;
    }

    private static string? Cxx(string name)
    {
        delegate* unmanaged<byte*, byte*, nuint*, int*, byte*> demangle = CxaDemangle();
        if (demangle == null) return null;
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, bytes);
        int status = -1;
        byte* result;
        fixed (byte* p = bytes)
            result = demangle(p, null, null, &status);
        if (result == null) return null;
        try
        {
            return status == 0 ? Marshal.PtrToStringUTF8((nint)result) : null;
        }
        finally
        {
            NativeMemory.Free(result); // malloc'd by __cxa_demangle: free() is NativeMemory.Free on Linux
        }
    }

    private static delegate* unmanaged<byte*, byte*, nuint*, int*, byte*> CxaDemangle()
    {
        lock (Gate)
        {
            if (_loaded) return _cxaDemangle;
            _loaded = true;
            if (NativeLibrary.TryLoad("libstdc++.so.6", out nint lib) && NativeLibrary.TryGetExport(lib, "__cxa_demangle", out nint fn))
                _cxaDemangle = (delegate* unmanaged<byte*, byte*, nuint*, int*, byte*>)fn;
            return _cxaDemangle;
        }
    }

    /// <summary>Rust's legacy mangling: <c>_ZN</c> (length identifier)+ <c>E</c>, the last identifier
    /// <c>h</c> and 16 hex digits. Anything else (a C++ name) is null.</summary>
    public static string? RustLegacy(string name)
    {
        if (!name.StartsWith("_ZN", StringComparison.Ordinal)) return null;
        int pos = 3;
        var parts = new System.Collections.Generic.List<string>();
        while (pos < name.Length && name[pos] != 'E')
        {
            int len = 0, digits = 0;
            while (pos < name.Length && char.IsAsciiDigit(name[pos]) && len < 100_000) { len = len * 10 + (name[pos++] - '0'); digits++; }
            if (digits == 0 || len == 0 || pos + len > name.Length) return null;
            parts.Add(name.Substring(pos, len));
            pos += len;
        }
        // Exactly the end, or LLVM's ".llvm.NNN"-style suffix after it.
        if (pos >= name.Length || (pos + 1 != name.Length && name[pos + 1] != '.')) return null;
        if (parts.Count < 2 || !IsHash(parts[^1])) return null;
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Count - 1; i++)
        {
            if (i > 0) sb.Append("::");
            if (!Unescape(parts[i], sb)) return null;
        }
        return sb.ToString();
    }

    private static bool IsHash(string s)
    {
        if (s.Length != 17 || s[0] != 'h') return false;
        for (int i = 1; i < s.Length; i++)
            if (!char.IsAsciiHexDigitLower(s[i]) && !char.IsAsciiDigit(s[i])) return false;
        return true;
    }

    private static bool Unescape(string part, StringBuilder sb)
    {
        int i = 0;
        if (part.StartsWith("_$", StringComparison.Ordinal)) i = 1; // a leading '_' guards an identifier starting with '$'
        while (i < part.Length)
        {
            char c = part[i];
            if (c == '.' && i + 1 < part.Length && part[i + 1] == '.') { sb.Append("::"); i += 2; continue; }
            if (c != '$') { sb.Append(c); i++; continue; }
            int end = part.IndexOf('$', i + 1);
            if (end < 0) return false;
            string esc = part.Substring(i + 1, end - i - 1);
            switch (esc)
            {
                case "SP": sb.Append('@'); break;
                case "BP": sb.Append('*'); break;
                case "RF": sb.Append('&'); break;
                case "LT": sb.Append('<'); break;
                case "GT": sb.Append('>'); break;
                case "LP": sb.Append('('); break;
                case "RP": sb.Append(')'); break;
                case "C": sb.Append(','); break;
                default:
                    if (esc.Length > 1 && esc[0] == 'u'
                        && int.TryParse(esc.AsSpan(1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int cp)
                        && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF))
                        sb.Append(char.ConvertFromUtf32(cp));
                    else
                        return false;
                    break;
            }
            i = end + 1;
        }
        return true;
    }
}
