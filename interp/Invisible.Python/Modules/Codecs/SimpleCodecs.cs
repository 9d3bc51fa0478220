using System;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Codecs;

/// <summary>latin-1, ascii, charmap and the escape codecs (unicode_escape, raw_unicode_escape, escape_encode/decode)
/// with CPython's error positions and reasons.</summary>
internal static class SimpleCodecs
{
    // ---------------- latin-1 / ascii ----------------

    public static byte[] EncodeLimited(CodecRegistry reg, string s, string errors, int limit)
    {
        bool fast = true;
        foreach (char c in s) if (c >= limit) { fast = false; break; }
        if (fast)
        {
            var r = new byte[s.Length];
            for (int j = 0; j < s.Length; j++) r[j] = (byte)s[j];
            return r;
        }
        string name = limit == 128 ? "ascii" : "latin-1";
        var cps = CodecErrors.CodePoints(s);
        var o = new MemoryStream(s.Length);
        var ctx = new EncodeErrorContext { Registry = reg, Errors = errors, Encoding = name, Reason = $"ordinal not in range({limit})", Source = s, CodePoints = cps };
        bool Write(int cp, MemoryStream ms) { if (cp >= limit) return false; ms.WriteByte((byte)cp); return true; }
        int i = 0;
        while (i < cps.Length)
        {
            if (cps[i] < limit) { o.WriteByte((byte)cps[i]); i++; continue; }
            int end = i + 1;
            while (end < cps.Length && cps[end] >= limit) end++;
            i = ctx.Handle(i, end, o, Write, null);
        }
        return o.ToArray();
    }

    public static string DecodeLatin1(ReadOnlySpan<byte> d) => Encoding.Latin1.GetString(d);

    public static string DecodeAscii(CodecRegistry reg, byte[] d, string errors)
    {
        int bad = Array.FindIndex(d, b => b >= 128);
        if (bad < 0) return Encoding.ASCII.GetString(d);
        var sb = new StringBuilder(d.Length);
        var ctx = new DecodeErrorContext(reg, errors, "ascii", d);
        int i = 0;
        while (i < d.Length)
        {
            if (d[i] < 128) { sb.Append((char)d[i]); i++; continue; }
            i = ctx.Handle(i, i + 1, "ordinal not in range(128)", sb);
        }
        return sb.ToString();
    }

    // ---------------- charmap ----------------

    public static string CharmapDecode(CodecRegistry reg, byte[] d, string errors, PyObject? mapping)
    {
        if (mapping == null || mapping == PyNone.Instance) return DecodeLatin1(d);
        var sb = new StringBuilder(d.Length);
        var ctx = new DecodeErrorContext(reg, errors, "charmap", d);
        string? table = mapping is PyStr ts ? ts.Value : null;
        int i = 0;
        while (i < d.Length)
        {
            byte b = d[i];
            if (table != null)
            {
                if (b < table.Length && table[b] != '\uFFFE') { sb.Append(table[b]); i++; continue; }
                i = ctx.Handle(i, i + 1, "character maps to <undefined>", sb);
                continue;
            }
            PyObject? v;
            try { v = Ops.GetItem(mapping, PyInt.Get(b)); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.LookupErrorType)) { v = null; }
            if (v == null || v == PyNone.Instance) { i = ctx.Handle(i, i + 1, "character maps to <undefined>", sb); continue; }
            if (v is PyInt vi)
            {
                if (vi.IsBig || vi.V < 0 || vi.V > 0x10FFFF) throw Ops.TypeError("character mapping must be in range(0x110000)");
                if (vi.V == 0xFFFE) { i = ctx.Handle(i, i + 1, "character maps to <undefined>", sb); continue; }
                CodecErrors.AppendCodePoint(sb, (int)vi.V);
            }
            else if (v is PyStr vs)
            {
                if (vs.Value == "\uFFFE") { i = ctx.Handle(i, i + 1, "character maps to <undefined>", sb); continue; }
                sb.Append(vs.Value);
            }
            else throw Ops.TypeError("character mapping must return integer, None or str");
            i++;
        }
        return sb.ToString();
    }

    public static byte[] CharmapEncode(CodecRegistry reg, string s, string errors, PyObject? mapping)
    {
        if (mapping == null || mapping == PyNone.Instance) return EncodeLimited(reg, s, errors, 256);
        var cps = CodecErrors.CodePoints(s);
        var o = new MemoryStream(s.Length);
        var ctx = new EncodeErrorContext { Registry = reg, Errors = errors, Encoding = "charmap", Reason = "character maps to <undefined>", Source = s, CodePoints = cps };
        bool Write(int cp, MemoryStream ms)
        {
            PyObject? v;
            try { v = Ops.GetItem(mapping!, PyInt.Get(cp)); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.LookupErrorType)) { return false; }
            if (v == PyNone.Instance) return false;
            if (v is PyInt vi)
            {
                if (vi.IsBig || vi.V < 0 || vi.V > 255) throw Ops.TypeError("character mapping must be in range(256)");
                ms.WriteByte((byte)vi.V);
                return true;
            }
            if (v is PyBytes vb) { ms.Write(vb.Span); return true; }
            throw Ops.TypeError("character mapping must return integer, bytes or None, not " + v.Type.Name);
        }
        int i = 0;
        while (i < cps.Length)
        {
            if (Write(cps[i], o)) { i++; continue; }
            int end = i + 1;
            var probe = new MemoryStream();
            while (end < cps.Length && !Write(cps[end], probe)) end++;
            i = ctx.Handle(i, end, o, Write, null);
        }
        return o.ToArray();
    }

    /// <summary>charmap_build: the inverse of a 256-character decoding table, as a dict (CPython returns an
    /// EncodingMap; charmap_encode takes either).</summary>
    public static PyObject CharmapBuild(string table)
    {
        var d = new PyDict();
        var cps = CodecErrors.CodePoints(table);
        for (int i = 0; i < cps.Length && i < 256; i++)
            if (cps[i] != 0xFFFE) d.SetItem(PyInt.Get(cps[i]), PyInt.Get(i));
        return d;
    }

    // ---------------- unicode_escape / raw_unicode_escape ----------------

    public static byte[] UnicodeEscapeEncode(string s, bool raw)
    {
        var o = new MemoryStream(s.Length + 8);
        void Ascii(string t) { foreach (char c in t) o.WriteByte((byte)c); }
        foreach (int cp in CodecErrors.CodePoints(s))
        {
            if (raw)
            {
                if (cp < 0x100) o.WriteByte((byte)cp);
                else if (cp < 0x10000) Ascii($"\\u{cp:x4}");
                else Ascii($"\\U{cp:x8}");
                continue;
            }
            if (cp == '\\') Ascii("\\\\");
            else if (cp == '\t') Ascii("\\t");
            else if (cp == '\n') Ascii("\\n");
            else if (cp == '\r') Ascii("\\r");
            else if (cp >= 0x20 && cp < 0x7F) o.WriteByte((byte)cp);
            else if (cp < 0x100) Ascii($"\\x{cp:x2}");
            else if (cp < 0x10000) Ascii($"\\u{cp:x4}");
            else Ascii($"\\U{cp:x8}");
        }
        return o.ToArray();
    }

    public static string UnicodeEscapeDecode(CodecRegistry reg, byte[] d, string errors, bool final, out int consumed)
    {
        var sb = new StringBuilder(d.Length);
        var ctx = new DecodeErrorContext(reg, errors, "unicodeescape", d);
        int i = 0, n = d.Length;
        while (i < n)
        {
            byte b = d[i];
            if (b != '\\') { sb.Append((char)b); i++; continue; }
            int start = i;
            if (i + 1 >= n)
            {
                if (!final) break;
                i = ctx.Handle(start, n, "\\ at end of string", sb);
                continue;
            }
            byte c = d[i + 1];
            i += 2;
            switch (c)
            {
                case (byte)'\n': continue;
                case (byte)'\\': sb.Append('\\'); continue;
                case (byte)'\'': sb.Append('\''); continue;
                case (byte)'"': sb.Append('"'); continue;
                case (byte)'b': sb.Append('\b'); continue;
                case (byte)'f': sb.Append('\f'); continue;
                case (byte)'t': sb.Append('\t'); continue;
                case (byte)'n': sb.Append('\n'); continue;
                case (byte)'r': sb.Append('\r'); continue;
                case (byte)'v': sb.Append('\v'); continue;
                case (byte)'a': sb.Append('\a'); continue;
            }
            if (c >= '0' && c <= '7')
            {
                int v = c - '0';
                for (int k = 0; k < 2 && i < n && d[i] >= '0' && d[i] <= '7'; k++) v = v * 8 + (d[i++] - '0');
                CodecErrors.AppendCodePoint(sb, v);
                continue;
            }
            int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
            if (digits > 0)
            {
                int v = 0, k = 0;
                for (; k < digits && i + k < n; k++)
                {
                    int h = BinasciiModule.HexDigit(d[i + k]);
                    if (h < 0) break;
                    v = v * 16 + h;
                }
                if (k < digits)
                {
                    if (!final && i + k >= n) { i = start; break; }
                    string what = c == 'x' ? "truncated \\xXX escape" : c == 'u' ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape";
                    i = ctx.Handle(start, i + k, what, sb);
                    continue;
                }
                if ((uint)v > 0x10FFFF) { i = ctx.Handle(start, i + k, "illegal Unicode character", sb); continue; }
                CodecErrors.AppendCodePoint(sb, v);
                i += k;
                continue;
            }
            if (c == 'N')
            {
                int close = i < n && d[i] == '{' ? Array.IndexOf(d, (byte)'}', i) : -1;
                if (close < 0) { i = ctx.Handle(start, n, "malformed \\N character escape", sb); continue; }
                string name = Encoding.ASCII.GetString(d, i + 1, close - i - 1);
                int? cp = UnicodeNames.Lookup?.Invoke(name);
                if (cp is int found) { CodecErrors.AppendCodePoint(sb, found); i = close + 1; continue; }
                i = ctx.Handle(start, close + 1, "unknown Unicode character name", sb);
                continue;
            }
            // an unknown escape stays as written (CPython warns with DeprecationWarning)
            sb.Append('\\').Append((char)c);
        }
        consumed = i;
        return sb.ToString();
    }

    public static string RawUnicodeEscapeDecode(CodecRegistry reg, byte[] d, string errors, bool final, out int consumed)
    {
        var sb = new StringBuilder(d.Length);
        var ctx = new DecodeErrorContext(reg, errors, "rawunicodeescape", d);
        int i = 0, n = d.Length;
        while (i < n)
        {
            byte b = d[i];
            if (b != '\\') { sb.Append((char)b); i++; continue; }
            // count the backslashes: only an odd run escapes the \u or \U after it
            int j = i;
            while (j < n && d[j] == '\\') j++;
            int run = j - i;
            if (run % 2 == 0 || j >= n || (d[j] != 'u' && d[j] != 'U'))
            {
                if (!final && j >= n && run % 2 == 1) { consumed = i; return sb.ToString(); }
                sb.Append('\\', run);
                i = j;
                continue;
            }
            sb.Append('\\', run - 1);
            int start = j - 1;
            int digits = d[j] == 'u' ? 4 : 8;
            int v = 0, k = 0;
            for (; k < digits && j + 1 + k < n; k++)
            {
                int h = BinasciiModule.HexDigit(d[j + 1 + k]);
                if (h < 0) break;
                v = v * 16 + h;
            }
            if (k < digits)
            {
                if (!final && j + 1 + k >= n) { consumed = start; return sb.ToString(); }
                i = ctx.Handle(start, j + 1 + k, digits == 4 ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape", sb);
                continue;
            }
            if ((uint)v > 0x10FFFF) { i = ctx.Handle(start, j + 1 + k, "\\Uxxxxxxxx out of range", sb); continue; }
            CodecErrors.AppendCodePoint(sb, v);
            i = j + 1 + k;
        }
        consumed = i;
        return sb.ToString();
    }

    // ---------------- escape_encode / escape_decode (bytes to bytes) ----------------

    public static byte[] EscapeEncode(ReadOnlySpan<byte> d)
    {
        var o = new MemoryStream(d.Length + 8);
        foreach (byte b in d)
        {
            if (b == '\\' || b == '\'') { o.WriteByte((byte)'\\'); o.WriteByte(b); }
            else if (b == '\t') { o.WriteByte((byte)'\\'); o.WriteByte((byte)'t'); }
            else if (b == '\n') { o.WriteByte((byte)'\\'); o.WriteByte((byte)'n'); }
            else if (b == '\r') { o.WriteByte((byte)'\\'); o.WriteByte((byte)'r'); }
            else if (b < 0x20 || b >= 0x7F) { foreach (char c in $"\\x{b:x2}") o.WriteByte((byte)c); }
            else o.WriteByte(b);
        }
        return o.ToArray();
    }

    public static byte[] EscapeDecode(ReadOnlySpan<byte> d, string errors)
    {
        var o = new MemoryStream(d.Length);
        int i = 0, n = d.Length;
        while (i < n)
        {
            byte b = d[i];
            if (b != '\\') { o.WriteByte(b); i++; continue; }
            if (i + 1 >= n) throw Ops.ValueError("Trailing \\ in string");
            byte c = d[i + 1];
            i += 2;
            switch (c)
            {
                case (byte)'\n': continue;
                case (byte)'\\': o.WriteByte((byte)'\\'); continue;
                case (byte)'\'': o.WriteByte((byte)'\''); continue;
                case (byte)'"': o.WriteByte((byte)'"'); continue;
                case (byte)'b': o.WriteByte((byte)'\b'); continue;
                case (byte)'f': o.WriteByte((byte)'\f'); continue;
                case (byte)'t': o.WriteByte((byte)'\t'); continue;
                case (byte)'n': o.WriteByte((byte)'\n'); continue;
                case (byte)'r': o.WriteByte((byte)'\r'); continue;
                case (byte)'v': o.WriteByte((byte)'\v'); continue;
                case (byte)'a': o.WriteByte((byte)'\a'); continue;
            }
            if (c >= '0' && c <= '7')
            {
                int v = c - '0';
                for (int k = 0; k < 2 && i < n && d[i] >= '0' && d[i] <= '7'; k++) v = v * 8 + (d[i++] - '0');
                o.WriteByte((byte)v);
                continue;
            }
            if (c == 'x')
            {
                int h1 = i < n ? BinasciiModule.HexDigit(d[i]) : -1, h2 = i + 1 < n ? BinasciiModule.HexDigit(d[i + 1]) : -1;
                if (h1 >= 0 && h2 >= 0) { o.WriteByte((byte)(h1 << 4 | h2)); i += 2; continue; }
                if (errors == "strict") throw Ops.ValueError($"invalid \\x escape at position {i - 2}");
                if (errors == "replace") o.WriteByte((byte)'?');
                else if (errors != "ignore") throw Ops.ValueError($"decoding error; unknown error handling code: {errors}");
                while (i < n && BinasciiModule.HexDigit(d[i]) >= 0 && i < n) { i++; break; }
                continue;
            }
            o.WriteByte((byte)'\\'); o.WriteByte(c);
        }
        return o.ToArray();
    }
}

/// <summary>The name table for \N{...}: unicodedata's database.</summary>
internal static class UnicodeNames
{
    internal static Func<string, int?>? Lookup { get; set; } = name =>
    {
        int cp = Unicodedata.UnicodeDatabase.Instance.Lookup(name);
        return cp < 0 ? null : cp;
    };
}
