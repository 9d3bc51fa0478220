using System;
using System.IO;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>binascii</c> (Modules/binascii.c): hex, base64, uu and quoted-printable codecs and the CRC-32 /
/// CRC-CCITT checksums, with CPython 3.11's error texts. The a2b_* functions take bytes-like objects or ASCII str.
/// </summary>
public static class BinasciiModule
{
    private static PyType? s_error, s_incomplete;
    private static readonly object TypesGate = new();

    public static PyType ErrorType
    {
        get
        {
            if (s_error is { } t) return t;
            lock (TypesGate) return s_error ??= new PyType("Error", PyBaseException.ValueErrorType, null) { ModuleName = "binascii" };
        }
    }

    public static PyType IncompleteType
    {
        get
        {
            if (s_incomplete is { } t) return t;
            lock (TypesGate) return s_incomplete ??= new PyType("Incomplete", PyBaseException.ExceptionType, null) { ModuleName = "binascii" };
        }
    }

    private static PyException Error(string msg) => Ops.Exc(ErrorType, msg);

    public static PyModule Create()
    {
        var m = new PyModule("binascii");
        m.Add("__doc__", new PyStr("Conversion between binary data and ASCII"));
        m.Add("Error", ErrorType);
        m.Add("Incomplete", IncompleteType);
        NativeFn hexlify = (a, k) => Hexlify(a, k, "hexlify");
        m.AddFn("hexlify", hexlify);
        m.AddFn("b2a_hex", (a, k) => Hexlify(a, k, "b2a_hex"));
        m.AddFn("unhexlify", (a, k) => new PyBytes(Unhexlify(AsciiArg(One(a, k, "unhexlify")))));
        m.AddFn("a2b_hex", (a, k) => new PyBytes(Unhexlify(AsciiArg(One(a, k, "a2b_hex")))));
        m.AddFn("a2b_base64", (a, k) =>
        {
            if (Ops.PosCount(a, k) != 1) throw Ops.TypeError($"a2b_base64() takes exactly 1 positional argument ({Ops.PosCount(a, k)} given)");
            var strict = KwOnly(a, k, "a2b_base64", "strict_mode");
            return new PyBytes(A2bBase64(AsciiArg(a[0]), strict != null && Ops.IsTrue(strict)));
        });
        m.AddFn("b2a_base64", (a, k) =>
        {
            if (Ops.PosCount(a, k) != 1) throw Ops.TypeError($"b2a_base64() takes exactly 1 positional argument ({Ops.PosCount(a, k)} given)");
            var nl = KwOnly(a, k, "b2a_base64", "newline");
            return new PyBytes(B2aBase64(Buffers.Read(a[0]), nl == null || Ops.IsTrue(nl)));
        });
        m.AddFn("a2b_uu", (a, k) => new PyBytes(A2bUu(AsciiArg(One(a, k, "a2b_uu")))));
        m.AddFn("b2a_uu", (a, k) =>
        {
            if (Ops.PosCount(a, k) != 1) throw Ops.TypeError($"b2a_uu() takes exactly 1 positional argument ({Ops.PosCount(a, k)} given)");
            var bt = KwOnly(a, k, "b2a_uu", "backtick");
            return new PyBytes(B2aUu(Buffers.Read(a[0]), bt != null && Ops.IsTrue(bt)));
        });
        m.AddFn("a2b_qp", (a, k) =>
        {
            var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("a2b_qp() missing required argument 'data' (pos 1)");
            var header = Ops.Arg(a, k, 1, "header");
            return new PyBytes(A2bQp(AsciiArg(data), header != null && Ops.IsTrue(header)));
        });
        m.AddFn("b2a_qp", (a, k) =>
        {
            var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("b2a_qp() missing required argument 'data' (pos 1)");
            var quotetabs = Ops.Arg(a, k, 1, "quotetabs");
            var istext = Ops.Arg(a, k, 2, "istext");
            var header = Ops.Arg(a, k, 3, "header");
            return new PyBytes(B2aQp(Buffers.Read(data), quotetabs != null && Ops.IsTrue(quotetabs),
                istext == null || Ops.IsTrue(istext), header != null && Ops.IsTrue(header)));
        });
        m.AddFn("crc32", (a, k) =>
        {
            Ops.NoKw(k, "crc32");
            if (a.Length < 1) throw Ops.TypeError($"crc32 expected at least 1 argument, got {a.Length}");
            if (a.Length > 2) throw Ops.TypeError($"crc32 expected at most 2 arguments, got {a.Length}");
            uint start = a.Length > 1 ? MaskU32(a[1]) : 0;
            return PyInt.Get((long)Checksums.Crc32(start, Buffers.Read(a[0])));
        });
        m.AddFn("crc_hqx", (a, k) =>
        {
            Ops.NoKw(k, "crc_hqx");
            if (a.Length != 2) throw Ops.TypeError($"crc_hqx expected 2 arguments, got {a.Length}");
            uint crc = MaskU32(a[1]) & 0xffff;
            return PyInt.Get((long)Checksums.CrcHqx(crc, Buffers.Read(a[0])));
        });
        return m;
    }

    private static PyObject One(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
    {
        Ops.NoKw(k, fname);
        if (a.Length != 1) throw Ops.TypeError($"{fname}() takes exactly one argument ({a.Length} given)");
        return a[0];
    }

    /// <summary>A keyword-only argument; any other keyword is a TypeError as CPython's argument clinic says it.</summary>
    private static PyObject? KwOnly(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, string name)
    {
        if (k == null) return null;
        PyObject? r = null;
        int npos = a.Length - k.Length;
        for (int i = 0; i < k.Length; i++)
        {
            if (k[i].Value == name) r = a[npos + i];
            else throw Ops.TypeError($"{fname}() got an unexpected keyword argument '{k[i].Value}'");
        }
        return r;
    }

    /// <summary>The unsigned-int argument of crc32/crc_hqx: any int, reduced modulo 2**32 (PyLong_AsUnsignedLongMask).</summary>
    internal static uint MaskU32(PyObject o)
    {
        var i = o as PyInt ?? (PyInt)Ops.Index(o);
        if (!i.IsBig) return unchecked((uint)i.V);
        var b = i.Big & uint.MaxValue;
        return (uint)b;
    }

    /// <summary>CPython's <c>ascii_buffer</c> converter: a bytes-like object, or a str of ASCII characters only.</summary>
    private static ReadOnlySpan<byte> AsciiArg(PyObject o)
    {
        if (o is PyStr s)
        {
            var v = s.Value;
            var r = new byte[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] > 127) throw Ops.ValueError("string argument should contain only ASCII characters");
                r[i] = (byte)v[i];
            }
            return r;
        }
        if (Buffers.TryRead(o, out var bytes)) return bytes;
        throw Ops.TypeError($"argument should be bytes, buffer or ASCII string, not '{o.Type.Name}'");
    }

    // ---------------- hex ----------------

    private static PyObject Hexlify(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
    {
        var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError($"{fname}() missing required argument 'data' (pos 1)");
        var sepObj = Ops.Arg(a, k, 1, "sep");
        var bps = Ops.Arg(a, k, 2, "bytes_per_sep");
        var src = Buffers.Read(data);
        return new PyBytes(Hex.Encode(src, sepObj, bps == null ? 1 : Ops.IndexValue(bps), latin1Sep: true));
    }

    private static byte[] Unhexlify(ReadOnlySpan<byte> s)
    {
        if (s.Length % 2 != 0) throw Error("Odd-length string");
        var r = new byte[s.Length / 2];
        for (int i = 0; i < r.Length; i++)
        {
            int hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
            if (hi < 0 || lo < 0) throw Error("Non-hexadecimal digit found");
            r[i] = (byte)(hi << 4 | lo);
        }
        return r;
    }

    internal static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    // ---------------- base64 ----------------

    private const string B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static readonly sbyte[] B64Decode = MakeB64Decode();

    private static sbyte[] MakeB64Decode()
    {
        var t = new sbyte[256];
        Array.Fill(t, (sbyte)-1);
        for (int i = 0; i < B64.Length; i++) t[B64[i]] = (sbyte)i;
        return t;
    }

    private static byte[] A2bBase64(ReadOnlySpan<byte> s, bool strict)
    {
        if (strict && s.Length > 0 && s[0] == '=') throw Error("Leading padding not allowed");
        var r = new byte[(s.Length + 3) / 4 * 3];
        int n = 0, quad = 0, pads = 0, left = 0;
        bool paddingStarted = false;
        for (int i = 0; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == '=')
            {
                paddingStarted = true;
                if (quad >= 2 && quad + ++pads >= 4)
                {
                    // The string is complete: CPython ignores whatever follows unless strict.
                    if (strict && i + 1 < s.Length) throw Error("Excess data after padding");
                    return r.AsSpan(0, n).ToArray();
                }
                continue;
            }
            int v = B64Decode[c];
            if (v < 0)
            {
                if (strict) throw Error("Only base64 data is allowed");
                continue;
            }
            if (strict && paddingStarted) throw Error("Discontinuous padding not allowed");
            pads = 0;
            switch (quad)
            {
                case 0: quad = 1; left = v; break;
                case 1: quad = 2; r[n++] = (byte)(left << 2 | v >> 4); left = v & 0x0f; break;
                case 2: quad = 3; r[n++] = (byte)(left << 4 | v >> 2); left = v & 0x03; break;
                default: quad = 0; r[n++] = (byte)(left << 6 | v); left = 0; break;
            }
        }
        if (quad != 0)
        {
            if (quad == 1)
                throw Error($"Invalid base64-encoded string: number of data characters ({n / 3 * 4 + 1}) cannot be 1 more than a multiple of 4");
            throw Error("Incorrect padding");
        }
        return r.AsSpan(0, n).ToArray();
    }

    private static byte[] B2aBase64(ReadOnlySpan<byte> s, bool newline)
    {
        var r = new byte[(s.Length + 2) / 3 * 4 + (newline ? 1 : 0)];
        int o = 0, i = 0;
        for (; i + 3 <= s.Length; i += 3)
        {
            int v = s[i] << 16 | s[i + 1] << 8 | s[i + 2];
            r[o++] = (byte)B64[v >> 18]; r[o++] = (byte)B64[v >> 12 & 63]; r[o++] = (byte)B64[v >> 6 & 63]; r[o++] = (byte)B64[v & 63];
        }
        if (s.Length - i == 1)
        {
            r[o++] = (byte)B64[s[i] >> 2]; r[o++] = (byte)B64[(s[i] & 3) << 4]; r[o++] = (byte)'='; r[o++] = (byte)'=';
        }
        else if (s.Length - i == 2)
        {
            int v = s[i] << 8 | s[i + 1];
            r[o++] = (byte)B64[v >> 10]; r[o++] = (byte)B64[v >> 4 & 63]; r[o++] = (byte)B64[(v & 15) << 2]; r[o++] = (byte)'=';
        }
        if (newline) r[o] = (byte)'\n';
        return r;
    }

    // ---------------- uu ----------------

    private static byte[] A2bUu(ReadOnlySpan<byte> s)
    {
        int i = 0;
        // CPython reads the length byte of an empty line as its terminating NUL: 32 bytes of zeros.
        int binLen = ((s.Length == 0 ? 0 : s[i++]) - ' ') & 0x3f;
        var r = new byte[binLen];
        int n = 0, leftBits = 0;
        uint left = 0;
        while (n < binLen)
        {
            int c;
            if (i >= s.Length || s[i] == '\n' || s[i] == '\r') c = 0; // eaten trailing spaces
            else
            {
                c = s[i];
                if (c < ' ' || c > ' ' + 64) throw Error("Illegal char");
                c = (c - ' ') & 0x3f;
            }
            i++;
            left = left << 6 | (uint)c;
            leftBits += 6;
            if (leftBits >= 8)
            {
                leftBits -= 8;
                r[n++] = (byte)(left >> leftBits);
                left &= (1u << leftBits) - 1;
            }
        }
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c != ' ' && c != ' ' + 64 && c != '\n' && c != '\r') throw Error("Trailing garbage");
        }
        return r;
    }

    private static byte[] B2aUu(ReadOnlySpan<byte> s, bool backtick)
    {
        if (s.Length > 45) throw Error("At most 45 bytes at once");
        var r = new MemoryStream(2 + (s.Length + 2) / 3 * 4);
        r.WriteByte(backtick && s.Length == 0 ? (byte)'`' : (byte)(' ' + s.Length));
        int leftBits = 0;
        uint left = 0;
        for (int i = 0; i < s.Length || leftBits != 0; i++)
        {
            left = i < s.Length ? left << 8 | s[i] : left << 8;
            leftBits += 8;
            while (leftBits >= 6)
            {
                int c = (int)(left >> (leftBits - 6)) & 0x3f;
                leftBits -= 6;
                r.WriteByte(backtick && c == 0 ? (byte)'`' : (byte)(c + ' '));
            }
        }
        r.WriteByte((byte)'\n');
        return r.ToArray();
    }

    // ---------------- quoted-printable ----------------

    private static byte[] A2bQp(ReadOnlySpan<byte> s, bool header)
    {
        var r = new byte[s.Length];
        int i = 0, o = 0;
        while (i < s.Length)
        {
            if (s[i] == '=')
            {
                i++;
                if (i >= s.Length) break;
                if (s[i] == '\n' || s[i] == '\r')
                {
                    // soft line break: skip to after the newline
                    if (s[i] != '\n') while (i < s.Length && s[i] != '\n') i++;
                    if (i < s.Length) i++;
                }
                else if (s[i] == '=') { r[o++] = (byte)'='; i++; }
                else if (i + 1 < s.Length && HexDigit(s[i]) >= 0 && HexDigit(s[i + 1]) >= 0)
                {
                    r[o++] = (byte)(HexDigit(s[i]) << 4 | HexDigit(s[i + 1]));
                    i += 2;
                }
                else r[o++] = (byte)'=';
            }
            else if (header && s[i] == '_') { r[o++] = (byte)' '; i++; }
            else r[o++] = s[i++];
        }
        return r.AsSpan(0, o).ToArray();
    }

    private const int MaxLineSize = 76;
    private const string UpperHex = "0123456789ABCDEF";

    private static byte[] B2aQp(ReadOnlySpan<byte> s, bool quoteTabs, bool isText, bool header)
    {
        int nl = s.IndexOf((byte)'\n');
        bool crlf = nl > 0 && s[nl - 1] == '\r';
        var o = new MemoryStream(s.Length * 3 / 2 + 8);
        int i = 0, lineLen = 0;
        void SoftBreak()
        {
            o.WriteByte((byte)'=');
            if (crlf) o.WriteByte((byte)'\r');
            o.WriteByte((byte)'\n');
        }
        void Quoted(byte c)
        {
            o.WriteByte((byte)'='); o.WriteByte((byte)UpperHex[c >> 4]); o.WriteByte((byte)UpperHex[c & 15]);
        }
        while (i < s.Length)
        {
            byte c = s[i];
            bool last = i + 1 == s.Length;
            if (c > 126 || c == '=' || (header && c == '_')
                || (c == '.' && lineLen == 0 && (last || s[i + 1] == '\n' || s[i + 1] == '\r' || s[i + 1] == 0))
                || (!isText && (c == '\r' || c == '\n'))
                || ((c == '\t' || c == ' ') && last)
                || (c < 33 && c != '\r' && c != '\n' && (quoteTabs || (c != '\t' && c != ' '))))
            {
                if (lineLen + 3 >= MaxLineSize) { SoftBreak(); lineLen = 0; }
                Quoted(c);
                i++;
                lineLen += 3;
            }
            else if (isText && (c == '\n' || (i + 1 < s.Length && c == '\r' && s[i + 1] == '\n')))
            {
                lineLen = 0;
                // protect whitespace at the end of the line
                if (o.Length > 0)
                {
                    o.Position = o.Length - 1;
                    int prev = o.ReadByte();
                    if (prev == ' ' || prev == '\t')
                    {
                        o.SetLength(o.Length - 1);
                        Quoted((byte)prev);
                    }
                }
                if (crlf) o.WriteByte((byte)'\r');
                o.WriteByte((byte)'\n');
                i += c == '\r' ? 2 : 1;
            }
            else
            {
                if (!last && s[i + 1] != '\n' && lineLen + 1 >= MaxLineSize) { SoftBreak(); lineLen = 0; }
                lineLen++;
                o.WriteByte(header && c == ' ' ? (byte)'_' : c);
                i++;
            }
        }
        return o.ToArray();
    }
}

/// <summary>bytes.hex / binascii.hexlify with CPython's separator rules (<c>_Py_strhex_impl</c>).</summary>
internal static class Hex
{
    private const string Lower = "0123456789abcdef";

    /// <param name="latin1Sep">binascii takes any byte, or a str char below 256, as separator; bytes.hex only ASCII.</param>
    public static byte[] Encode(ReadOnlySpan<byte> src, PyObject? sepObj, long bytesPerSep, bool latin1Sep)
    {
        byte sep = 0;
        bool hasSep = sepObj != null; // a NUL separator is a separator
        if (hasSep)
        {
            // CPython's _Py_strhex_impl takes len(sep) first: None is "object of type 'NoneType' has no len()"
            if (sepObj is not PyStr && sepObj is not PyBytes && Ops.Len(sepObj!) != 1) throw Ops.ValueError("sep must be length 1.");
            if (sepObj is PyStr ss)
            {
                if (ss.Value.Length != 1) throw Ops.ValueError("sep must be length 1.");
                if (ss.Value[0] > (latin1Sep ? 255 : 127)) throw Ops.ValueError("sep must be ASCII.");
                sep = (byte)ss.Value[0];
            }
            else if (sepObj is PyBytes sb)
            {
                if (sb.Span.Length != 1) throw Ops.ValueError("sep must be length 1.");
                if (sb.Span[0] > 127 && !latin1Sep) throw Ops.ValueError("sep must be ASCII.");
                sep = sb.Span[0];
            }
            else throw Ops.TypeError("sep must be str or bytes.");
        }
        else bytesPerSep = 0;
        long group = Math.Abs(bytesPerSep);
        if (!hasSep || group == 0 || src.Length <= group)
        {
            var plain = new byte[src.Length * 2];
            for (int i = 0; i < src.Length; i++) { plain[2 * i] = (byte)Lower[src[i] >> 4]; plain[2 * i + 1] = (byte)Lower[src[i] & 15]; }
            return plain;
        }
        int nseps = (int)((src.Length - 1) / group);
        var r = new byte[src.Length * 2 + nseps];
        int o = 0;
        // Groups are counted from the right for a positive bytes_per_sep, from the left for a negative one.
        int first = bytesPerSep > 0 ? (int)(src.Length - (long)nseps * group) : (int)group;
        for (int i = 0; i < src.Length; i++)
        {
            if (i > 0 && (i - first) % group == 0 && i >= first) r[o++] = sep;
            r[o++] = (byte)Lower[src[i] >> 4];
            r[o++] = (byte)Lower[src[i] & 15];
        }
        return r;
    }
}

/// <summary>CRC-32 (zlib's polynomial, slicing by 8) and binascii's CRC-CCITT (XModem).</summary>
internal static class Checksums
{
    private static readonly uint[] Crc32Table = MakeCrc32Table();
    private static readonly ushort[] HqxTable = MakeHqxTable();

    private static uint[] MakeCrc32Table()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int i = 0; i < 256; i++)
            for (int s = 1; s < 8; s++)
                t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xff];
        return t;
    }

    private static ushort[] MakeHqxTable()
    {
        var t = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i << 8;
            for (int k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            t[i] = (ushort)c;
        }
        return t;
    }

    public static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Crc32Table;
        crc = ~crc;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint a = crc ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            uint b = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
            crc = t[7 * 256 + (a & 0xff)] ^ t[6 * 256 + (a >> 8 & 0xff)] ^ t[5 * 256 + (a >> 16 & 0xff)] ^ t[4 * 256 + (a >> 24)]
                ^ t[3 * 256 + (b & 0xff)] ^ t[2 * 256 + (b >> 8 & 0xff)] ^ t[256 + (b >> 16 & 0xff)] ^ t[b >> 24];
        }
        for (; i < data.Length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        return ~crc;
    }

    public static uint CrcHqx(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = ((crc << 8) & 0xff00) ^ HqxTable[((crc >> 8) ^ b) & 0xff];
        return crc;
    }

    public static uint Adler32(uint adler, ReadOnlySpan<byte> data)
    {
        uint a = adler & 0xffff, b = adler >> 16;
        int i = 0;
        while (i < data.Length)
        {
            int n = Math.Min(5552, data.Length - i); // largest n keeping b below 2**32 before the modulo
            for (int e = i + n; i < e; i++) { a += data[i]; b += a; }
            a %= 65521; b %= 65521;
        }
        return b << 16 | a;
    }
}
