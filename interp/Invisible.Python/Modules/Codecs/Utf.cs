using System;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Codecs;

/// <summary>UTF-8, UTF-16 and UTF-32 as CPython's unicodeobject.c: the same error positions and reasons
/// ("invalid start byte", "invalid continuation byte", "unexpected end of data", "illegal UTF-16 surrogate",
/// "truncated data", ...), BOM handling and the stateful (final=False) variants that stop before a partial sequence.</summary>
internal static class Utf
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    // ---------------- surrogatepass ----------------

    /// <summary>Writes a surrogate code point as <paramref name="encoding"/> would with surrogatepass.</summary>
    internal static bool WriteSurrogate(string encoding, int cp, MemoryStream o)
    {
        switch (Normalize(encoding))
        {
            case "utf-8": case "utf8":
                o.WriteByte((byte)(0xE0 | cp >> 12)); o.WriteByte((byte)(0x80 | (cp >> 6 & 0x3F))); o.WriteByte((byte)(0x80 | (cp & 0x3F)));
                return true;
            case "utf-16": case "utf-16-le": o.WriteByte((byte)cp); o.WriteByte((byte)(cp >> 8)); return true;
            case "utf-16-be": o.WriteByte((byte)(cp >> 8)); o.WriteByte((byte)cp); return true;
            case "utf-32": case "utf-32-le": o.WriteByte((byte)cp); o.WriteByte((byte)(cp >> 8)); o.WriteByte(0); o.WriteByte(0); return true;
            case "utf-32-be": o.WriteByte(0); o.WriteByte(0); o.WriteByte((byte)(cp >> 8)); o.WriteByte((byte)cp); return true;
        }
        return false;
    }

    /// <summary>Reads an encoded surrogate at <paramref name="pos"/> as surrogatepass would.</summary>
    internal static bool ReadSurrogate(string encoding, ReadOnlySpan<byte> d, int pos, out int cp, out int len)
    {
        cp = 0; len = 0;
        switch (Normalize(encoding))
        {
            case "utf-8": case "utf8":
                if (pos + 2 < d.Length && d[pos] == 0xED && (d[pos + 1] & 0xE0) == 0xA0 && (d[pos + 2] & 0xC0) == 0x80)
                { cp = 0xD000 | (d[pos + 1] & 0x3F) << 6 | (d[pos + 2] & 0x3F); len = 3; return true; }
                return false;
            case "utf-16": case "utf-16-le": if (pos + 1 < d.Length) { cp = d[pos] | d[pos + 1] << 8; len = 2; } break;
            case "utf-16-be": if (pos + 1 < d.Length) { cp = d[pos] << 8 | d[pos + 1]; len = 2; } break;
            case "utf-32": case "utf-32-le": if (pos + 3 < d.Length) { cp = d[pos] | d[pos + 1] << 8 | d[pos + 2] << 16 | d[pos + 3] << 24; len = 4; } break;
            case "utf-32-be": if (pos + 3 < d.Length) { cp = d[pos] << 24 | d[pos + 1] << 16 | d[pos + 2] << 8 | d[pos + 3]; len = 4; } break;
        }
        return len > 0 && cp >= 0xD800 && cp <= 0xDFFF;
    }

    private static string Normalize(string e) => e.ToLowerInvariant().Replace('_', '-');

    // ---------------- UTF-8 ----------------

    public static byte[] EncodeUtf8(CodecRegistry reg, string s, string errors)
    {
        // Fast path: no surrogate code units, or only well-formed pairs.
        bool clean = true;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < 0xD800 || c > 0xDFFF) continue;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            clean = false;
            break;
        }
        if (clean) return Encoding.UTF8.GetBytes(s);
        var cps = CodecErrors.CodePoints(s);
        var o = new MemoryStream(s.Length + 8);
        var ctx = new EncodeErrorContext { Registry = reg, Errors = errors, Encoding = "utf-8", Reason = "surrogates not allowed", Source = s, CodePoints = cps };
        Func<int, MemoryStream, bool> write = WriteUtf8;
        Func<int, MemoryStream, bool> pass = (cp, ms) => WriteSurrogate("utf-8", cp, ms);
        int i2 = 0;
        while (i2 < cps.Length)
        {
            if (WriteUtf8(cps[i2], o)) { i2++; continue; }
            int end = i2 + 1;
            while (end < cps.Length && cps[end] >= 0xD800 && cps[end] <= 0xDFFF) end++;
            i2 = ctx.Handle(i2, end, o, write, pass);
        }
        return o.ToArray();
    }

    private static bool WriteUtf8(int cp, MemoryStream o)
    {
        if (cp < 0x80) o.WriteByte((byte)cp);
        else if (cp < 0x800) { o.WriteByte((byte)(0xC0 | cp >> 6)); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
        else if (cp >= 0xD800 && cp <= 0xDFFF) return false;
        else if (cp < 0x10000) { o.WriteByte((byte)(0xE0 | cp >> 12)); o.WriteByte((byte)(0x80 | (cp >> 6 & 0x3F))); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
        else { o.WriteByte((byte)(0xF0 | cp >> 18)); o.WriteByte((byte)(0x80 | (cp >> 12 & 0x3F))); o.WriteByte((byte)(0x80 | (cp >> 6 & 0x3F))); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
        return true;
    }

    /// <summary>Decodes UTF-8; with <paramref name="final"/> false a truncated sequence at the end is left unconsumed.</summary>
    public static string DecodeUtf8(CodecRegistry reg, byte[] d, string errors, bool final, out int consumed)
    {
        try
        {
            var s = StrictUtf8.GetString(d);
            consumed = d.Length;
            return s;
        }
        catch (DecoderFallbackException) { }
        var sb = new StringBuilder(d.Length);
        var ctx = new DecodeErrorContext(reg, errors, "utf-8", d);
        int i = 0, n = d.Length;
        while (i < n)
        {
            byte b = d[i];
            if (b < 0x80) { sb.Append((char)b); i++; continue; }
            int need, cp, lo = 0x80, hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 0x1F; }
            else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 0x0F; if (b == 0xE0) lo = 0xA0; else if (b == 0xED) hi = 0x9F; }
            else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 0x07; if (b == 0xF0) lo = 0x90; else if (b == 0xF4) hi = 0x8F; }
            else { i = ctx.Handle(i, i + 1, "invalid start byte", sb); continue; }
            int k = 1;
            bool bad = false;
            for (; k <= need; k++)
            {
                if (i + k >= n) break;
                byte c = d[i + k];
                int l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
                if (c < l || c > h) { bad = true; break; }
                cp = cp << 6 | (c & 0x3F);
            }
            if (bad) { i = ctx.Handle(i, i + k, "invalid continuation byte", sb); continue; }
            if (k <= need)
            {
                // ran out of data in the middle of a sequence
                if (!final) { consumed = i; return sb.ToString(); }
                i = ctx.Handle(i, n, "unexpected end of data", sb);
                continue;
            }
            CodecErrors.AppendCodePoint(sb, cp);
            i += need + 1;
        }
        consumed = n;
        return sb.ToString();
    }

    // ---------------- UTF-16 ----------------

    /// <summary>byteorder: 0 writes a BOM then native (little-endian) order; -1 little-endian; 1 big-endian.</summary>
    public static byte[] EncodeUtf16(CodecRegistry reg, string s, string errors, int byteorder)
    {
        bool big = byteorder > 0;
        string name = byteorder == 0 ? "utf-16" : big ? "utf-16-be" : "utf-16-le";
        var o = new MemoryStream(s.Length * 2 + 2);
        if (byteorder == 0) { o.WriteByte(0xFF); o.WriteByte(0xFE); }
        var cps = CodecErrors.CodePoints(s);
        var ctx = new EncodeErrorContext { Registry = reg, Errors = errors, Encoding = name, Reason = "surrogates not allowed", Source = s, CodePoints = cps };
        bool Unit(int u, MemoryStream ms)
        {
            if (big) { ms.WriteByte((byte)(u >> 8)); ms.WriteByte((byte)u); } else { ms.WriteByte((byte)u); ms.WriteByte((byte)(u >> 8)); }
            return true;
        }
        bool Write(int cp, MemoryStream ms)
        {
            if (cp >= 0xD800 && cp <= 0xDFFF) return false;
            if (cp < 0x10000) return Unit(cp, ms);
            cp -= 0x10000;
            Unit(0xD800 | cp >> 10, ms);
            return Unit(0xDC00 | (cp & 0x3FF), ms);
        }
        int i = 0;
        while (i < cps.Length)
        {
            if (Write(cps[i], o)) { i++; continue; }
            int end = i + 1;
            while (end < cps.Length && cps[end] >= 0xD800 && cps[end] <= 0xDFFF) end++;
            i = ctx.Handle(i, end, o, Write, Unit);
        }
        return o.ToArray();
    }

    /// <summary>byteorder in/out: 0 detect a BOM (default little-endian), -1 little, 1 big.</summary>
    public static string DecodeUtf16(CodecRegistry reg, byte[] d, string errors, ref int byteorder, bool final, out int consumed)
    {
        int i = 0, n = d.Length;
        if (byteorder == 0 && n >= 2)
        {
            if (d[0] == 0xFF && d[1] == 0xFE) { byteorder = -1; i = 2; }
            else if (d[0] == 0xFE && d[1] == 0xFF) { byteorder = 1; i = 2; }
        }
        bool big = byteorder > 0;
        string name = byteorder == 0 ? "utf-16" : big ? "utf-16-be" : "utf-16-le";
        var ctx = new DecodeErrorContext(reg, errors, name, d);
        var sb = new StringBuilder(n / 2);
        int U(int p) => big ? d[p] << 8 | d[p + 1] : d[p] | d[p + 1] << 8;
        while (i < n)
        {
            if (n - i < 2)
            {
                if (!final) break;
                i = ctx.Handle(i, n, "truncated data", sb);
                continue;
            }
            int u = U(i);
            if (u < 0xD800 || u > 0xDFFF) { sb.Append((char)u); i += 2; continue; }
            if (u >= 0xDC00) { i = ctx.Handle(i, i + 2, "illegal encoding", sb); continue; }
            if (n - i < 4)
            {
                if (!final) break;
                i = ctx.Handle(i, n, "unexpected end of data", sb);
                continue;
            }
            int u2 = U(i + 2);
            if (u2 < 0xDC00 || u2 > 0xDFFF) { i = ctx.Handle(i, i + 2, "illegal UTF-16 surrogate", sb); continue; }
            sb.Append((char)u).Append((char)u2);
            i += 4;
        }
        consumed = i;
        return sb.ToString();
    }

    // ---------------- UTF-32 ----------------

    public static byte[] EncodeUtf32(CodecRegistry reg, string s, string errors, int byteorder)
    {
        bool big = byteorder > 0;
        string name = byteorder == 0 ? "utf-32" : big ? "utf-32-be" : "utf-32-le";
        var o = new MemoryStream(s.Length * 4 + 4);
        bool Raw(int cp, MemoryStream ms)
        {
            if (big) { ms.WriteByte((byte)(cp >> 24)); ms.WriteByte((byte)(cp >> 16)); ms.WriteByte((byte)(cp >> 8)); ms.WriteByte((byte)cp); }
            else { ms.WriteByte((byte)cp); ms.WriteByte((byte)(cp >> 8)); ms.WriteByte((byte)(cp >> 16)); ms.WriteByte((byte)(cp >> 24)); }
            return true;
        }
        bool Write(int cp, MemoryStream ms) => (cp < 0xD800 || cp > 0xDFFF) && Raw(cp, ms);
        if (byteorder == 0) Raw(0xFEFF, o);
        var cps = CodecErrors.CodePoints(s);
        var ctx = new EncodeErrorContext { Registry = reg, Errors = errors, Encoding = name, Reason = "surrogates not allowed", Source = s, CodePoints = cps };
        int i = 0;
        while (i < cps.Length)
        {
            if (Write(cps[i], o)) { i++; continue; }
            int end = i + 1;
            while (end < cps.Length && cps[end] >= 0xD800 && cps[end] <= 0xDFFF) end++;
            i = ctx.Handle(i, end, o, Write, Raw);
        }
        return o.ToArray();
    }

    public static string DecodeUtf32(CodecRegistry reg, byte[] d, string errors, ref int byteorder, bool final, out int consumed)
    {
        int i = 0, n = d.Length;
        if (byteorder == 0 && n >= 4)
        {
            if (d[0] == 0xFF && d[1] == 0xFE && d[2] == 0 && d[3] == 0) { byteorder = -1; i = 4; }
            else if (d[0] == 0 && d[1] == 0 && d[2] == 0xFE && d[3] == 0xFF) { byteorder = 1; i = 4; }
        }
        bool big = byteorder > 0;
        string name = byteorder == 0 ? "utf-32" : big ? "utf-32-be" : "utf-32-le";
        var ctx = new DecodeErrorContext(reg, errors, name, d);
        var sb = new StringBuilder(n / 4);
        while (i < n)
        {
            if (n - i < 4)
            {
                if (!final) break;
                i = ctx.Handle(i, n, "truncated data", sb);
                continue;
            }
            uint cp = big ? (uint)(d[i] << 24 | d[i + 1] << 16 | d[i + 2] << 8 | d[i + 3]) : (uint)(d[i] | d[i + 1] << 8 | d[i + 2] << 16 | d[i + 3] << 24);
            if (cp > 0x10FFFF) { i = ctx.Handle(i, i + 4, "code point not in range(0x110000)", sb); continue; }
            if (cp >= 0xD800 && cp <= 0xDFFF) { i = ctx.Handle(i, i + 4, "code point in surrogate code point range(0xd800, 0xe000)", sb); continue; }
            CodecErrors.AppendCodePoint(sb, (int)cp);
            i += 4;
        }
        consumed = i;
        return sb.ToString();
    }
}
