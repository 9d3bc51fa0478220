using System;
using System.Text;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>The encodings TextIOWrapper speaks natively (UTF-8, ASCII, Latin-1, UTF-16, UTF-32) with CPython's error
/// handlers. Decoding is made stateless per chunk: the caller holds back an incomplete multi-byte tail
/// (<see cref="CompleteLength"/>), so TextIOWrapper.tell() knows exactly how many bytes are not yet decoded.</summary>
internal sealed class TextCodec
{
    public readonly string Name;   // CPython's codec name (codecs.lookup(x).name)
    private readonly Encoding _enc;
    private readonly int _unit;    // 1 (utf-8 and the 8-bit ones), 2 or 4
    private readonly bool _bomDetect;
    private readonly string _errors;
    private Encoding? _decodeEnc, _encodeEnc;
    private bool _bomSeen;

    private TextCodec(string name, Encoding enc, int unit, bool bomDetect, string errors)
    {
        Name = name; _enc = enc; _unit = unit; _bomDetect = bomDetect; _errors = errors;
    }

    public static string Normalize(string encoding)
    {
        var sb = new StringBuilder(encoding.Length);
        foreach (char c in encoding.Trim()) sb.Append(c == '_' || c == ' ' ? '-' : char.ToLowerInvariant(c));
        return sb.ToString();
    }

    /// <summary>The codec for <paramref name="encoding"/>, or null when it is not one of ours.</summary>
    public static TextCodec? Lookup(string encoding, string errors)
    {
        switch (Normalize(encoding))
        {
            case "utf-8": case "utf8": case "u8": case "utf": case "cp65001": case "locale":
                return new TextCodec("utf-8", new UTF8Encoding(false), 1, false, errors);
            case "utf-8-sig": case "utf8-sig":
                return new TextCodec("utf-8-sig", new UTF8Encoding(false), 1, false, errors);
            case "ascii": case "us-ascii": case "646": case "us":
                return new TextCodec("ascii", Encoding.ASCII, 1, false, errors);
            case "latin-1": case "latin1": case "iso-8859-1": case "iso8859-1": case "8859": case "cp819": case "l1": case "latin":
                return new TextCodec("iso8859-1", Encoding.Latin1, 1, false, errors);
            case "utf-16": case "utf16": return new TextCodec("utf-16", new UnicodeEncoding(false, false), 2, true, errors);
            case "utf-16-le": case "utf-16le": return new TextCodec("utf-16-le", new UnicodeEncoding(false, false), 2, false, errors);
            case "utf-16-be": case "utf-16be": return new TextCodec("utf-16-be", new UnicodeEncoding(true, false), 2, false, errors);
            case "utf-32": case "utf32": return new TextCodec("utf-32", new UTF32Encoding(false, false), 4, true, errors);
            case "utf-32-le": case "utf-32le": return new TextCodec("utf-32-le", new UTF32Encoding(false, false), 4, false, errors);
            case "utf-32-be": case "utf-32be": return new TextCodec("utf-32-be", new UTF32Encoding(true, false), 4, false, errors);
        }
        return null;
    }

    public void Reset() { _bomSeen = false; }

    /// <summary>How many leading bytes of <paramref name="b"/> decode completely (the rest waits for more data).</summary>
    public int CompleteLength(ReadOnlySpan<byte> b)
    {
        if (_unit == 1)
        {
            if (Name != "utf-8" && Name != "utf-8-sig") return b.Length;
            // Back up over an incomplete UTF-8 sequence at the end (at most 3 bytes).
            for (int back = 1; back <= Math.Min(3, b.Length); back++)
            {
                byte x = b[b.Length - back];
                if ((x & 0xC0) == 0x80) continue;          // continuation: keep looking for the lead byte
                int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : x >= 0xC0 ? 2 : 1;
                return need > back ? b.Length - back : b.Length;
            }
            return b.Length;
        }
        int n = b.Length - b.Length % _unit;
        if (_unit == 2 && n >= 2)
        {
            bool be = _decodeEnc is UnicodeEncoding ue ? ue.GetPreamble().Length > 0 && ue.GetPreamble()[0] == 0xFE : Name.EndsWith("-be");
            ushort last = be ? (ushort)(b[n - 2] << 8 | b[n - 1]) : (ushort)(b[n - 1] << 8 | b[n - 2]);
            if (last >= 0xD800 && last <= 0xDBFF) n -= 2;
        }
        return n;
    }

    private Encoding DecodeEncoding(ref ReadOnlySpan<byte> b)
    {
        if (_decodeEnc != null && (_bomSeen || !_bomDetect)) return _decodeEnc;
        var baseEnc = _enc;
        if (_bomDetect && !_bomSeen)
        {
            if (b.Length < _unit) return baseEnc;
            _bomSeen = true;
            if (_unit == 2)
            {
                if (b[0] == 0xFF && b[1] == 0xFE) { b = b.Slice(2); baseEnc = new UnicodeEncoding(false, false); }
                else if (b[0] == 0xFE && b[1] == 0xFF) { b = b.Slice(2); baseEnc = new UnicodeEncoding(true, false); }
            }
            else
            {
                if (b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) { b = b.Slice(4); baseEnc = new UTF32Encoding(false, false); }
                else if (b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) { b = b.Slice(4); baseEnc = new UTF32Encoding(true, false); }
            }
        }
        else if (Name == "utf-8-sig" && !_bomSeen)
        {
            if (b.Length < 3) return baseEnc;
            _bomSeen = true;
            if (b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) b = b.Slice(3);
        }
        var enc = (Encoding)baseEnc.Clone();
        enc.DecoderFallback = _errors switch
        {
            "strict" => DecoderFallback.ExceptionFallback,
            "ignore" => new DecoderReplacementFallback(""),
            "replace" => new DecoderReplacementFallback("\uFFFD"),
            // .NET rejects lone surrogates from a fallback: these two are done by EscapeDecode.
            "surrogateescape" or "backslashreplace" when _unit == 1 => DecoderFallback.ExceptionFallback,
            "surrogateescape" => new DecoderReplacementFallback("\uFFFD"),
            "backslashreplace" => new ByteEscapeFallback(true),
            _ => DecoderFallback.ExceptionFallback,
        };
        _decodeEnc = enc;
        return enc;
    }

    /// <summary>Decode complete data (see <see cref="CompleteLength"/>).</summary>
    public string Decode(ReadOnlySpan<byte> b)
    {
        var whole = b;
        var enc = DecodeEncoding(ref b);
        if (b.Length == 0) return "";
        try { return enc.GetString(b); }
        catch (DecoderFallbackException) when (_errors is "surrogateescape" or "backslashreplace")
        {
            return EscapeDecode(b, _errors == "backslashreplace");
        }
        catch (DecoderFallbackException e)
        {
            int start = e.Index >= 0 ? e.Index + (whole.Length - b.Length) : 0;
            int len = e.BytesUnknown?.Length ?? 1;
            string reason = Name == "ascii" ? "ordinal not in range(128)" : "invalid start byte";
            if (Name.StartsWith("utf-8") && e.BytesUnknown is { Length: >= 1 } unknown)
            {
                byte lead = unknown[0];
                bool validLead = lead >= 0xC2 && lead < 0xF5;
                if (validLead) reason = e.Index + unknown.Length >= b.Length ? "unexpected end of data" : "invalid continuation byte";
            }
            else if (Name.StartsWith("utf-16") || Name.StartsWith("utf-32")) reason = "illegal encoding";
            throw new PyException(PyBaseException.Create(PyBaseException.UnicodeDecodeErrorType,
                PyStr.Of(Name == "iso8859-1" ? "latin-1" : Name), new PyBytes(whole.ToArray()), PyInt.Get(start), PyInt.Get(start + len), PyStr.Of(reason)));
        }
    }

    /// <summary>Encode text; <paramref name="atStart"/> says whether a BOM belongs in front (utf-16/utf-32/utf-8-sig at position 0).</summary>
    public byte[] Encode(string s, bool atStart)
    {
        byte[] body;
        if (_errors == "surrogateescape" && (_unit == 1))
        {
            if (Name.StartsWith("utf-8")) body = Fs.Encode(s, false);
            else body = EncodeSingleByte(s, Name == "ascii" ? 0x7F : 0xFF);
        }
        else
        {
            if (_encodeEnc == null)
            {
                var enc = (Encoding)(_bomDetect ? (_unit == 2 ? new UnicodeEncoding(false, false) : new UTF32Encoding(false, false)) : _enc).Clone();
                enc.EncoderFallback = _errors switch
                {
                    "ignore" => new EncoderReplacementFallback(""),
                    "replace" => new EncoderReplacementFallback("?"),
                    "backslashreplace" => new CharEscapeFallback(false),
                    "xmlcharrefreplace" => new CharEscapeFallback(true),
                    _ => EncoderFallback.ExceptionFallback,
                };
                _encodeEnc = enc;
            }
            try { body = _encodeEnc.GetBytes(s); }
            catch (EncoderFallbackException e)
            {
                int start = e.Index;
                bool sur = char.IsSurrogate(e.CharUnknown) || e.CharUnknownHigh != 0;
                string reason = sur ? "surrogates not allowed" : Name == "ascii" ? "ordinal not in range(128)" : "ordinal not in range(256)";
                throw new PyException(PyBaseException.Create(PyBaseException.UnicodeEncodeErrorType,
                    PyStr.Of(Name == "iso8859-1" ? "latin-1" : Name), PyStr.Of(s), PyInt.Get(start), PyInt.Get(start + 1), PyStr.Of(reason)));
            }
        }
        if (atStart && (_bomDetect || Name == "utf-8-sig"))
        {
            byte[] bom = Name == "utf-8-sig" ? new byte[] { 0xEF, 0xBB, 0xBF } : _unit == 2 ? new byte[] { 0xFF, 0xFE } : new byte[] { 0xFF, 0xFE, 0, 0 };
            var r = new byte[bom.Length + body.Length];
            bom.CopyTo(r, 0);
            body.CopyTo(r, bom.Length);
            return r;
        }
        return body;
    }

    /// <summary>UTF-8 or ASCII decoding where each undecodable byte becomes U+DC00+byte or \xNN.</summary>
    private string EscapeDecode(ReadOnlySpan<byte> b, bool backslash)
    {
        var sb = new StringBuilder(b.Length);
        bool utf8 = Name.StartsWith("utf-8");
        int i = 0;
        while (i < b.Length)
        {
            if (b[i] < 0x80) { sb.Append((char)b[i]); i++; continue; }
            if (utf8 && Rune.DecodeFromUtf8(b.Slice(i), out Rune r, out int used) == System.Buffers.OperationStatus.Done)
            {
                sb.Append(r.ToString());
                i += used;
                continue;
            }
            if (backslash) sb.Append("\\x").Append(b[i].ToString("x2"));
            else sb.Append((char)(0xDC00 + b[i]));
            i++;
        }
        return sb.ToString();
    }

    private byte[] EncodeSingleByte(string s, int max)
    {
        var r = new byte[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c <= max) r[i] = (byte)c;
            else if (c >= 0xDC80 && c <= 0xDCFF) r[i] = (byte)(c - 0xDC00);
            else throw new PyException(PyBaseException.Create(PyBaseException.UnicodeEncodeErrorType,
                PyStr.Of(Name == "iso8859-1" ? "latin-1" : Name), PyStr.Of(s), PyInt.Get(i), PyInt.Get(i + 1), PyStr.Of(max == 0x7F ? "ordinal not in range(128)" : "ordinal not in range(256)")));
        }
        return r;
    }

    /// <summary>surrogateescape (U+DC00+byte) and backslashreplace (\xNN) for undecodable bytes.</summary>
    private sealed class ByteEscapeFallback : DecoderFallback
    {
        private readonly bool _backslash;
        public ByteEscapeFallback(bool backslash) { _backslash = backslash; }
        public override int MaxCharCount => _backslash ? 16 : 4;
        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(_backslash);

        private sealed class Buffer : DecoderFallbackBuffer
        {
            private readonly bool _backslash;
            private string _s = "";
            private int _i;
            public Buffer(bool backslash) { _backslash = backslash; }
            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                var sb = new StringBuilder();
                foreach (byte b in bytesUnknown)
                {
                    if (_backslash) sb.Append("\\x").Append(b.ToString("x2"));
                    else sb.Append(b < 0x80 ? '\uFFFD' : (char)(0xDC00 + b));
                }
                _s = sb.ToString();
                _i = 0;
                return true;
            }
            public override char GetNextChar() => _i < _s.Length ? _s[_i++] : '\0';
            public override bool MovePrevious() { if (_i == 0) return false; _i--; return true; }
            public override int Remaining => _s.Length - _i;
        }
    }

    /// <summary>backslashreplace (\xNN, \uNNNN, \UNNNNNNNN) and xmlcharrefreplace (&amp;#N;) for unencodable characters.</summary>
    private sealed class CharEscapeFallback : EncoderFallback
    {
        private readonly bool _xml;
        public CharEscapeFallback(bool xml) { _xml = xml; }
        public override int MaxCharCount => 12;
        public override EncoderFallbackBuffer CreateFallbackBuffer() => new Buffer(_xml);

        private sealed class Buffer : EncoderFallbackBuffer
        {
            private readonly bool _xml;
            private string _s = "";
            private int _i;
            public Buffer(bool xml) { _xml = xml; }
            private bool Set(int cp)
            {
                _s = _xml ? $"&#{cp};" : cp < 0x100 ? $"\\x{cp:x2}" : cp < 0x10000 ? $"\\u{cp:x4}" : $"\\U{cp:x8}";
                _i = 0;
                return true;
            }
            public override bool Fallback(char charUnknown, int index) => Set(charUnknown);
            public override bool Fallback(char high, char low, int index) => Set(char.ConvertToUtf32(high, low));
            public override char GetNextChar() => _i < _s.Length ? _s[_i++] : '\0';
            public override bool MovePrevious() { if (_i == 0) return false; _i--; return true; }
            public override int Remaining => _s.Length - _i;
        }
    }
}
