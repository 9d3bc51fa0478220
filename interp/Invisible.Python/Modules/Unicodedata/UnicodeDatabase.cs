using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Invisible.Python.Modules.Unicodedata;

/// <summary>
/// The Unicode character database <c>unicodedata</c> serves: <c>ucd.bin</c> (an embedded resource written by
/// <c>scripts/unicodedata-generate</c> from CPython 3.11's own <c>unicodedata</c>, Unicode 14.0.0), read once per
/// process on first use; immutable afterwards, shared by every interpreter. Also the normalization forms (UAX #15)
/// over its decompositions, combining classes and compositions: .NET's own normalization is ICU's (absent under
/// invariant globalization, and of a newer Unicode version).
/// </summary>
internal sealed class UnicodeDatabase
{
    private static UnicodeDatabase? s_instance;
    private static readonly object Gate = new();

    public static UnicodeDatabase Instance
    {
        get
        {
            if (s_instance is { } db) return db;
            lock (Gate) return s_instance ??= Load();
        }
    }

    public readonly string Version;
    private readonly string[] _categories, _bidis, _widths;
    private readonly byte[] _recCategory, _recBidi, _recCombining, _recWidth, _recMirrored;
    private readonly int[] _runStart;
    private readonly ushort[] _runRecord;
    private readonly (int First, int Last, string Prefix)[] _derived;
    private readonly Dictionary<int, string> _names;
    private Dictionary<string, int>? _byName;
    private readonly Dictionary<int, string> _decomposition;
    private readonly Dictionary<int, (sbyte Decimal, sbyte Digit, double Numeric)> _numeric;
    private readonly Dictionary<long, int> _compose;
    /// <summary>Decompositions as code points: canonical ones only / canonical and compatibility ones.</summary>
    private readonly Dictionary<int, int[]> _canonical = new(), _compat = new();

    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7, LCount = 19, VCount = 21, TCount = 28;
    private const int NCount = VCount * TCount, SCount = LCount * NCount;
    private static readonly string[] JamoL = "G GG N D DD R M B BB S SS _ J JJ C K T P H".Split(' ');
    private static readonly string[] JamoV = "A AE YA YAE EO E YEO YE O WA WAE OE YO U WEO WE WI YU EU YI I".Split(' ');
    private static readonly string[] JamoT = "_ G GG GS N NJ NH D L LG LM LB LS LT LP LH M B BS S SS NG J C K T P H".Split(' ');

    private static UnicodeDatabase Load()
    {
        using var raw = typeof(UnicodeDatabase).Assembly.GetManifestResourceStream("Modules/Unicodedata/ucd.bin")
            ?? throw new InvalidOperationException("the embedded Unicode database (ucd.bin) is missing");
        using var z = new ZLibStream(raw, CompressionMode.Decompress);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        ms.Position = 0;
        return new UnicodeDatabase(new BinaryReader(ms, Encoding.ASCII));
    }

    private static string Text(BinaryReader r) => Encoding.ASCII.GetString(r.ReadBytes(r.ReadByte()));

    private static string[] Table(BinaryReader r)
    {
        var t = new string[r.ReadByte()];
        for (int i = 0; i < t.Length; i++) t[i] = Text(r);
        return t;
    }

    private UnicodeDatabase(BinaryReader r)
    {
        if (Encoding.ASCII.GetString(r.ReadBytes(4)) != "UCD1") throw new InvalidDataException("ucd.bin: bad magic");
        Version = Text(r);
        _categories = Table(r); _bidis = Table(r); _widths = Table(r);
        int nrec = r.ReadUInt16();
        _recCategory = new byte[nrec]; _recBidi = new byte[nrec]; _recCombining = new byte[nrec]; _recWidth = new byte[nrec]; _recMirrored = new byte[nrec];
        for (int i = 0; i < nrec; i++)
        {
            _recCategory[i] = r.ReadByte(); _recBidi[i] = r.ReadByte(); _recCombining[i] = r.ReadByte();
            _recWidth[i] = r.ReadByte(); _recMirrored[i] = r.ReadByte();
        }
        int nruns = r.ReadInt32();
        _runStart = new int[nruns]; _runRecord = new ushort[nruns];
        for (int i = 0; i < nruns; i++) { _runStart[i] = r.ReadInt32(); _runRecord[i] = r.ReadUInt16(); }
        _derived = new (int, int, string)[r.ReadByte()];
        for (int i = 0; i < _derived.Length; i++) { int f = r.ReadInt32(), l = r.ReadInt32(); _derived[i] = (f, l, Text(r)); }
        int nnames = r.ReadInt32();
        _names = new Dictionary<int, string>(nnames);
        for (int i = 0; i < nnames; i++) { int cp = r.ReadInt32(); _names[cp] = Text(r); }
        int ndec = r.ReadInt32();
        _decomposition = new Dictionary<int, string>(ndec);
        for (int i = 0; i < ndec; i++)
        {
            int cp = r.ReadInt32();
            string d = Text(r);
            _decomposition[cp] = d;
            bool compat = d.StartsWith('<');
            var parts = d.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var cps = new List<int>(parts.Length);
            foreach (var p in parts) if (!p.StartsWith('<')) cps.Add(Convert.ToInt32(p, 16));
            var arr = cps.ToArray();
            _compat[cp] = arr;
            if (!compat) _canonical[cp] = arr;
        }
        int nnum = r.ReadInt32();
        _numeric = new Dictionary<int, (sbyte, sbyte, double)>(nnum);
        for (int i = 0; i < nnum; i++) { int cp = r.ReadInt32(); _numeric[cp] = (r.ReadSByte(), r.ReadSByte(), r.ReadDouble()); }
        int ncomp = r.ReadInt32();
        _compose = new Dictionary<long, int>(ncomp);
        for (int i = 0; i < ncomp; i++) { long a = r.ReadInt32(), b = r.ReadInt32(); _compose[(a << 21) | b] = r.ReadInt32(); }
    }

    private int Record(int cp)
    {
        int lo = 0, hi = _runStart.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (_runStart[mid] <= cp) lo = mid; else hi = mid - 1;
        }
        return _runRecord[lo];
    }

    public string Category(int cp) => _categories[_recCategory[Record(cp)]];
    public string Bidirectional(int cp) => _bidis[_recBidi[Record(cp)]];
    public int Combining(int cp) => cp < 0x300 ? 0 : _recCombining[Record(cp)];
    public string EastAsianWidth(int cp) => _widths[_recWidth[Record(cp)]];
    public int Mirrored(int cp) => _recMirrored[Record(cp)];
    public string Decomposition(int cp) => _decomposition.TryGetValue(cp, out var d) ? d : "";
    public bool TryNumeric(int cp, out (sbyte Decimal, sbyte Digit, double Numeric) v) => _numeric.TryGetValue(cp, out v);

    public string? Name(int cp)
    {
        if (_names.TryGetValue(cp, out var n)) return n;
        if (cp >= SBase && cp < SBase + SCount)
        {
            int s = cp - SBase;
            var sb = new StringBuilder("HANGUL SYLLABLE ");
            foreach (var part in new[] { JamoL[s / NCount], JamoV[s % NCount / TCount], JamoT[s % TCount] })
                if (part != "_") sb.Append(part);
            return sb.ToString();
        }
        foreach (var (first, last, prefix) in _derived)
            if (cp >= first && cp <= last) return prefix + cp.ToString("X4");
        return null;
    }

    /// <summary>The code point named <paramref name="name"/> (any case), or -1.</summary>
    public int Lookup(string name)
    {
        name = name.ToUpperInvariant();
        if (_byName == null)
        {
            var d = new Dictionary<string, int>(_names.Count, StringComparer.Ordinal);
            foreach (var kv in _names) d[kv.Value] = kv.Key;
            lock (Gate) _byName ??= d;
        }
        if (_byName.TryGetValue(name, out int cp)) return cp;
        foreach (var (first, last, prefix) in _derived)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var hex = name.AsSpan(prefix.Length);
            if ((hex.Length == 4 || hex.Length == 5) && int.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, null, out int v)
                && v >= first && v <= last && Name(v) == name) return v;
        }
        const string Hangul = "HANGUL SYLLABLE ";
        if (name.StartsWith(Hangul, StringComparison.Ordinal))
        {
            // the longest jamo that matches at each step, as CPython's find_syllable
            var rest = name.AsSpan(Hangul.Length);
            int l = Longest(ref rest, JamoL), v = Longest(ref rest, JamoV), t = Longest(ref rest, JamoT);
            if (l >= 0 && v >= 0 && t >= 0 && rest.Length == 0) return SBase + (l * VCount + v) * TCount + t;
        }
        return -1;
    }

    private static int Longest(ref ReadOnlySpan<char> s, string[] jamo)
    {
        int best = -1, bestLen = -1;
        for (int i = 0; i < jamo.Length; i++)
        {
            string j = jamo[i] == "_" ? "" : jamo[i];
            if (j.Length > bestLen && s.StartsWith(j, StringComparison.Ordinal)) { best = i; bestLen = j.Length; }
        }
        if (best >= 0) s = s.Slice(bestLen);
        return best;
    }

    // ---------------- normalization (UAX #15) ----------------

    public string Normalize(string s, bool compose, bool compat)
    {
        bool ascii = true;
        foreach (char c in s) if (c >= 0x80) { ascii = false; break; }
        if (ascii) return s;
        var cps = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) cp = char.ConvertToUtf32(s[i], s[++i]);
            Decompose(cp, compat, cps);
        }
        // canonical ordering: a stable sort of each run of non-starters by combining class
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = Combining(cps[i]);
            if (cc == 0) continue;
            int j = i;
            while (j > 0 && Combining(cps[j - 1]) > cc) { (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]); j--; }
        }
        if (compose) ComposeAll(cps);
        var sb = new StringBuilder(cps.Count);
        foreach (int cp in cps)
        {
            if (cp < 0x10000) sb.Append((char)cp); else sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    private void Decompose(int cp, bool compat, List<int> into)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            int s = cp - SBase;
            into.Add(LBase + s / NCount);
            into.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) into.Add(TBase + s % TCount);
            return;
        }
        if ((compat ? _compat : _canonical).TryGetValue(cp, out var parts))
        {
            foreach (int p in parts) Decompose(p, compat, into);
            return;
        }
        into.Add(cp);
    }

    private void ComposeAll(List<int> cps)
    {
        if (cps.Count == 0) return;
        int starter = Combining(cps[0]) == 0 ? 0 : -1;  // where the last starter was kept
        int lastClass = 0;                               // combining class of the last character kept after it
        int write = 1;
        for (int read = 1; read < cps.Count; read++)
        {
            int c = cps[read];
            int cc = Combining(c);
            // c joins the starter when nothing between them blocks it: adjacent, or every kept character in between
            // has a lower (non-zero) class
            if (starter >= 0 && (write - 1 == starter || lastClass < cc) && TryCompose(cps[starter], c, out int composite))
            {
                cps[starter] = composite;
                continue;
            }
            if (cc == 0) starter = write;
            lastClass = cc;
            cps[write++] = c;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private bool TryCompose(int a, int b, out int composite)
    {
        // Hangul: L + V, then LV + T
        if (a >= LBase && a < LBase + LCount && b >= VBase && b < VBase + VCount)
        {
            composite = SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
            return true;
        }
        if (a >= SBase && a < SBase + SCount && (a - SBase) % TCount == 0 && b > TBase && b < TBase + TCount)
        {
            composite = a + (b - TBase);
            return true;
        }
        return _compose.TryGetValue(((long)a << 21) | (uint)b, out composite);
    }
}
