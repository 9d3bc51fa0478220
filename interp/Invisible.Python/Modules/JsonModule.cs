using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_json</c> (Modules/_json.c, 3.11): the accelerators Lib's <c>json</c> picks up when they import —
/// <c>scanstring</c>, <c>encode_basestring(_ascii)</c>, <c>make_scanner</c> (the type <c>_json.Scanner</c>, whose
/// instances are the decoder's <c>scan_once</c>) and <c>make_encoder</c> (the type <c>_json.Encoder</c>, the one-shot
/// encoder used when <c>indent</c> is None). Same messages, error positions and recursion texts as the C module; the
/// pure-Python paths of Lib's json stay reachable with <c>_json</c> blocked (test_json tests both).
/// <para>Strings are UTF-16 here (the interpreter's <c>str</c>), so an astral character is two units: its
/// <c>\ud83d\ude00</c> escape is what CPython writes too, and a decoded surrogate pair joins by itself.</para>
/// </summary>
public static class JsonModule
{
    private static readonly object TypesGate = new();
    private static PyType? s_scannerType, s_encoderType;

    private static readonly NativeFn EncodeAsciiFn = (a, k) => EncodeBasestring("encode_basestring_ascii", a, k, ascii: true);
    private static readonly NativeFn EncodeFn = (a, k) => EncodeBasestring("encode_basestring", a, k, ascii: false);

    private static readonly ArgParser ScannerNewArgs = new("make_scanner", "context");
    private static readonly ArgParser ScanOnceArgs = new("scan_once", "string, idx");
    private static readonly ArgParser EncoderNewArgs = new("make_encoder",
        "markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan");
    private static readonly ArgParser IterencodeArgs = new("_iterencode", "obj, _current_indent_level");

    public static PyModule Create()
    {
        InitTypes();
        var m = new PyModule("_json");
        m.Add("__doc__", PyStr.Of("json speedups\n"));
        m.AddFn("encode_basestring_ascii", EncodeAsciiFn);
        m.AddFn("encode_basestring", EncodeFn);
        m.AddFn("scanstring", ScanstringFn);
        m.Add("make_scanner", s_scannerType!);
        m.Add("make_encoder", s_encoderType!);
        return m;
    }

    private static void InitTypes()
    {
        lock (TypesGate)
        {
            if (s_scannerType != null) return;
            var st = new PyType("Scanner", PyType.ObjectType, (cls, a, k) => new Scanner(ScannerNewArgs.Parse(a, k)[0]!)) { ModuleName = "_json" };
            st.TypeDict.SetItem(PyStr.S___doc__, PyStr.Of("JSON scanner object"));
            void Sm(string name, Func<Scanner, PyObject> get) =>
                st.SetMember(name, new PyProperty(new PyBuiltinFunction(name, (a, k) => get((Scanner)a[0])), null, null, PyStr.Of(name)));
            Sm("strict", s => PyBool.Of(s.Strict));
            Sm("object_hook", s => s.ObjectHook);
            Sm("object_pairs_hook", s => s.ObjectPairsHook);
            Sm("parse_float", s => s.ParseFloat);
            Sm("parse_int", s => s.ParseInt);
            Sm("parse_constant", s => s.ParseConstant);

            var et = new PyType("Encoder", PyType.ObjectType, (cls, a, k) => NewEncoder(a, k)) { ModuleName = "_json" };
            et.TypeDict.SetItem(PyStr.S___doc__, PyStr.Of("_iterencode(obj, _current_indent_level) -> iterable"));
            void Em(string name, Func<Encoder, PyObject> get) =>
                et.SetMember(name, new PyProperty(new PyBuiltinFunction(name, (a, k) => get((Encoder)a[0])), null, null, PyStr.Of(name)));
            Em("markers", e => e.Markers);
            Em("default", e => e.Default);
            Em("encoder", e => e.StrEncoder);
            Em("indent", e => e.Indent);
            Em("key_separator", e => PyStr.Of(e.KeySeparator));
            Em("item_separator", e => PyStr.Of(e.ItemSeparator));
            Em("sort_keys", e => PyBool.Of(e.SortKeys));
            Em("skipkeys", e => PyBool.Of(e.SkipKeys));
            s_encoderType = et;
            s_scannerType = st;
        }
    }

    // ---------------- encode_basestring(_ascii) ----------------

    private static PyObject EncodeBasestring(string name, ReadOnlySpan<PyObject> a, PyStr[]? k, bool ascii)
    {
        if (k is { Length: > 0 }) throw Ops.TypeError($"{name}() takes no keyword arguments");
        if (a.Length != 1) throw Ops.TypeError($"{name}() takes exactly one argument ({a.Length} given)");
        if (a[0] is not PyStr s) throw Ops.TypeError($"first argument must be a string, not {a[0].Type.Name}");
        var sb = new StringBuilder(s.Value.Length + 2);
        AppendQuoted(sb, s.Value, ascii);
        return new PyStr(sb.ToString());
    }

    private static void AppendQuoted(StringBuilder sb, string s, bool ascii)
    {
        sb.Append('"');
        int run = 0; // start of the current run of characters copied as they are
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c >= ' ' && c != '"' && c != '\\' && (!ascii || c <= '~')) continue;
            if (i > run) sb.Append(s, run, i - run);
            run = i + 1;
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    sb.Append("\\u");
                    AppendHex4(sb, c);
                    break;
            }
        }
        if (run < s.Length) sb.Append(s, run, s.Length - run);
        sb.Append('"');
    }

    private static void AppendHex4(StringBuilder sb, int c)
    {
        const string Hex = "0123456789abcdef";
        sb.Append(Hex[(c >> 12) & 0xf]).Append(Hex[(c >> 8) & 0xf]).Append(Hex[(c >> 4) & 0xf]).Append(Hex[c & 0xf]);
    }

    // ---------------- scanstring ----------------

    private static readonly NativeFn ScanstringFn = (a, k) =>
    {
        // PyArg_ParseTuple "On|p:scanstring"
        if (k is { Length: > 0 }) throw Ops.TypeError("scanstring() takes no keyword arguments");
        if (a.Length < 2) throw Ops.TypeError($"scanstring() takes at least 2 arguments ({a.Length} given)");
        if (a.Length > 3) throw Ops.TypeError($"scanstring() takes at most 3 arguments ({a.Length} given)");
        long end = ArgParser.ToSsize(a[1]);
        bool strict = a.Length < 3 || Ops.IsTrue(a[2]);
        if (a[0] is not PyStr s) throw Ops.TypeError($"first argument must be a string, not {a[0].Type.Name}");
        var str = ScanString(s, end, strict, out int next);
        return PyTuple.Of(str, PyInt.Get(next));
    };

    /// <summary>The JSON string of <paramref name="pystr"/> whose opening quote is at <paramref name="end"/> - 1;
    /// <paramref name="next"/> is the index after its closing quote.</summary>
    private static PyStr ScanString(PyStr pystr, long end, bool strict, out int next)
    {
        string s = pystr.Value;
        int len = s.Length;
        if (end < 0 || len < end) throw Ops.ValueError("end is out of bounds");
        int begin = (int)end - 1;
        int pos = (int)end;
        StringBuilder? sb = null;
        while (true)
        {
            // the end of the string or the next escape
            int j = pos;
            char c = '\0';
            for (; j < len; j++)
            {
                c = s[j];
                if (c == '"' || c == '\\') break;
                if (c <= 0x1f && strict) throw DecodeError("Invalid control character at", pystr, j);
            }
            if (j >= len) throw DecodeError("Unterminated string starting at", pystr, begin);
            if (c == '"' && sb == null)
            {
                next = j + 1;
                return PyStr.Of(s.Substring(pos, j - pos));
            }
            sb ??= new StringBuilder(j - pos + 16);
            if (j != pos) sb.Append(s, pos, j - pos);
            j++;
            if (c == '"') { next = j; return new PyStr(sb.ToString()); }
            if (j == len) throw DecodeError("Unterminated string starting at", pystr, begin);
            c = s[j];
            if (c != 'u')
            {
                pos = j + 1;
                switch (c)
                {
                    case '"': case '\\': case '/': break;
                    case 'b': c = '\b'; break;
                    case 'f': c = '\f'; break;
                    case 'n': c = '\n'; break;
                    case 'r': c = '\r'; break;
                    case 't': c = '\t'; break;
                    default: throw DecodeError("Invalid \\escape", pystr, pos - 2);
                }
                sb.Append(c);
                continue;
            }
            j++;
            pos = j + 4;
            // as _json.c: the four digits must be followed by at least one character (the closing quote)
            if (pos >= len) throw DecodeError("Invalid \\uXXXX escape", pystr, j - 1);
            int u = 0;
            for (; j < pos; j++)
            {
                int d = HexDigit(s[j]);
                if (d < 0) throw DecodeError("Invalid \\uXXXX escape", pystr, pos - 5);
                u = (u << 4) | d;
            }
            // a high surrogate followed by an escaped low one is one character; UTF-16 strings join the two units
            // by themselves, so only the error position of a bad second escape needs care
            if (u >= 0xD800 && u <= 0xDBFF && pos + 6 < len && s[pos] == '\\' && s[pos + 1] == 'u')
            {
                int u2 = 0;
                int e2 = pos + 6;
                for (int q = pos + 2; q < e2; q++)
                {
                    int d = HexDigit(s[q]);
                    if (d < 0) throw DecodeError("Invalid \\uXXXX escape", pystr, e2 - 5);
                    u2 = (u2 << 4) | d;
                }
                if (u2 >= 0xDC00 && u2 <= 0xDFFF)
                {
                    sb.Append((char)u).Append((char)u2);
                    pos = e2;
                    continue;
                }
            }
            sb.Append((char)u);
        }
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>json.decoder.JSONDecodeError(msg, s, end), as _json.c's raise_errmsg (the class of Lib's json).</summary>
    private static PyException DecodeError(string msg, PyStr s, int end)
    {
        var decoder = ThreadState.Current.Interp.Imports.ImportModule("json.decoder");
        var cls = Ops.GetAttr(decoder, "JSONDecodeError");
        var exc = Ops.Call(cls, new PyObject[] { PyStr.Of(msg), s, PyInt.Get(end) });
        return exc is PyBaseException be ? new PyException(be) : Ops.TypeError("exceptions must derive from BaseException");
    }

    // ---------------- the scanner (make_scanner) ----------------

    private sealed class Scanner : PyObject
    {
        public readonly bool Strict;
        public readonly PyObject ObjectHook, ObjectPairsHook, ParseFloat, ParseInt, ParseConstant;
        private readonly bool _hasObjectHook, _hasPairsHook, _customFloat, _customInt;

        public Scanner(PyObject ctx)
        {
            // the order of _json.c's scanner_new: an AttributeError or the error of bool(strict) propagates
            Strict = Ops.IsTrue(Ops.GetAttr(ctx, "strict"));
            ObjectHook = Ops.GetAttr(ctx, "object_hook");
            ObjectPairsHook = Ops.GetAttr(ctx, "object_pairs_hook");
            ParseFloat = Ops.GetAttr(ctx, "parse_float");
            ParseInt = Ops.GetAttr(ctx, "parse_int");
            ParseConstant = Ops.GetAttr(ctx, "parse_constant");
            _hasObjectHook = ObjectHook is not PyNone;
            _hasPairsHook = ObjectPairsHook is not PyNone;
            _customFloat = !ReferenceEquals(ParseFloat, PyFloat.TypeObj);
            _customInt = !ReferenceEquals(ParseInt, PyInt.TypeObj);
        }

        public override PyType Type => s_scannerType!;
        public override bool IsCallable => true;

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        {
            var p = ScanOnceArgs.Parse(args, kwnames);
            var strObj = p[0]!;
            long idx = ArgParser.ToSsize(p[1]!);
            if (strObj is not PyStr s) throw Ops.TypeError($"first argument must be a string, not {strObj.Type.Name}");
            var memo = new Dictionary<string, PyStr>(StringComparer.Ordinal);
            var v = ScanOnce(s, memo, idx, out int next);
            return PyTuple.Of(v, PyInt.Get(next));
        }

        private static bool IsWs(char c) => c == ' ' || c == '\t' || c == '\n' || c == '\r';

        private PyObject ScanOnce(PyStr pystr, Dictionary<string, PyStr> memo, long idx, out int next)
        {
            string s = pystr.Value;
            int length = s.Length;
            if (idx < 0) throw Ops.ValueError("idx cannot be negative");
            if (idx >= length) throw Ops.StopIteration(PyInt.Get(idx));
            int i = (int)idx;
            switch (s[i])
            {
                case '"':
                    return ScanString(pystr, i + 1, Strict, out next);
                case '{':
                    Recursion.Enter(" while decoding a JSON object from a unicode string");
                    try { return ParseObject(pystr, memo, i + 1, out next); }
                    finally { Recursion.Leave(); }
                case '[':
                    Recursion.Enter(" while decoding a JSON array from a unicode string");
                    try { return ParseArray(pystr, memo, i + 1, out next); }
                    finally { Recursion.Leave(); }
                case 'n':
                    if (string.CompareOrdinal(s, i, "null", 0, 4) == 0) { next = i + 4; return PyNone.Instance; }
                    break;
                case 't':
                    if (string.CompareOrdinal(s, i, "true", 0, 4) == 0) { next = i + 4; return PyBool.True; }
                    break;
                case 'f':
                    if (string.CompareOrdinal(s, i, "false", 0, 5) == 0) { next = i + 5; return PyBool.False; }
                    break;
                case 'N':
                    if (string.CompareOrdinal(s, i, "NaN", 0, 3) == 0) return Constant("NaN", i, out next);
                    break;
                case 'I':
                    if (string.CompareOrdinal(s, i, "Infinity", 0, 8) == 0) return Constant("Infinity", i, out next);
                    break;
                case '-':
                    if (string.CompareOrdinal(s, i, "-Infinity", 0, 9) == 0) return Constant("-Infinity", i, out next);
                    break;
            }
            return MatchNumber(s, i, out next);
        }

        private PyObject Constant(string name, int i, out int next)
        {
            next = i + name.Length;
            return Ops.Call1(ParseConstant, PyStr.Intern(name));
        }

        private PyObject ParseObject(PyStr pystr, Dictionary<string, PyStr> memo, int idx, out int next)
        {
            string s = pystr.Value;
            int endIdx = s.Length - 1;
            PyList? pairs = _hasPairsHook ? new PyList() : null;
            PyDict? dict = _hasPairsHook ? null : new PyDict();
            while (idx <= endIdx && IsWs(s[idx])) idx++;
            if (idx > endIdx || s[idx] != '}')
            {
                while (true)
                {
                    if (idx > endIdx || s[idx] != '"') throw DecodeError("Expecting property name enclosed in double quotes", pystr, idx);
                    var key = ScanString(pystr, idx + 1, Strict, out int nextIdx);
                    if (memo.TryGetValue(key.Value, out var known)) key = known;
                    else memo[key.Value] = key;
                    idx = nextIdx;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                    if (idx > endIdx || s[idx] != ':') throw DecodeError("Expecting ':' delimiter", pystr, idx);
                    idx++;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                    var val = ScanOnce(pystr, memo, idx, out nextIdx);
                    if (pairs != null) pairs.Append(PyTuple.Of(key, val));
                    else dict!.SetItem(key, val);
                    idx = nextIdx;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                    if (idx <= endIdx && s[idx] == '}') break;
                    if (idx > endIdx || s[idx] != ',') throw DecodeError("Expecting ',' delimiter", pystr, idx);
                    idx++;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                }
            }
            next = idx + 1;
            if (pairs != null) return Ops.Call1(ObjectPairsHook, pairs);
            if (_hasObjectHook) return Ops.Call1(ObjectHook, dict!);
            return dict!;
        }

        private PyObject ParseArray(PyStr pystr, Dictionary<string, PyStr> memo, int idx, out int next)
        {
            string s = pystr.Value;
            int endIdx = s.Length - 1;
            var list = new PyList();
            while (idx <= endIdx && IsWs(s[idx])) idx++;
            if (idx > endIdx || s[idx] != ']')
            {
                while (true)
                {
                    list.Append(ScanOnce(pystr, memo, idx, out int nextIdx));
                    idx = nextIdx;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                    if (idx <= endIdx && s[idx] == ']') break;
                    if (idx > endIdx || s[idx] != ',') throw DecodeError("Expecting ',' delimiter", pystr, idx);
                    idx++;
                    while (idx <= endIdx && IsWs(s[idx])) idx++;
                }
            }
            next = idx + 1;
            return list;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private PyObject MatchNumber(string s, int start, out int next)
        {
            int endIdx = s.Length - 1;
            int idx = start;
            bool isFloat = false;
            if (s[idx] == '-')
            {
                idx++;
                if (idx > endIdx) throw Ops.StopIteration(PyInt.Get(start));
            }
            if (s[idx] >= '1' && s[idx] <= '9')
            {
                idx++;
                while (idx <= endIdx && IsDigit(s[idx])) idx++;
            }
            else if (s[idx] == '0') idx++;
            else throw Ops.StopIteration(PyInt.Get(start));
            if (idx < endIdx && s[idx] == '.' && IsDigit(s[idx + 1]))
            {
                isFloat = true;
                idx += 2;
                while (idx <= endIdx && IsDigit(s[idx])) idx++;
            }
            if (idx < endIdx && (s[idx] == 'e' || s[idx] == 'E'))
            {
                int eStart = idx;
                idx++;
                if (idx < endIdx && (s[idx] == '-' || s[idx] == '+')) idx++;
                while (idx <= endIdx && IsDigit(s[idx])) idx++;
                if (IsDigit(s[idx - 1])) isFloat = true;
                else idx = eStart;
            }
            next = idx;
            var text = s.AsSpan(start, idx - start);
            if (isFloat)
            {
                if (_customFloat) return Ops.Call1(ParseFloat, new PyStr(text.ToString()));
                return new PyFloat(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            }
            if (_customInt) return Ops.Call1(ParseInt, new PyStr(text.ToString()));
            if (text.Length <= 18) return PyInt.Get(long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            return Ops.Call1(PyInt.TypeObj, new PyStr(text.ToString())); // int()'s own limits and messages for long digit strings
        }
    }

    // ---------------- the encoder (make_encoder) ----------------

    private static PyObject NewEncoder(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        // "OOOOUUppp:make_encoder"
        var p = EncoderNewArgs.Parse(a, k);
        var markers = p[0]!;
        if (markers is not PyNone && markers is not PyDict)
            throw Ops.TypeError($"make_encoder() argument 1 must be dict or None, not {markers.Type.Name}");
        if (p[4] is not PyStr keySep) throw p.BadArgument(4, "str", p[4]!);
        if (p[5] is not PyStr itemSep) throw p.BadArgument(5, "str", p[5]!);
        bool sortKeys = Ops.IsTrue(p[6]!), skipKeys = Ops.IsTrue(p[7]!), allowNan = Ops.IsTrue(p[8]!);
        return new Encoder(markers, p[1]!, p[2]!, p[3]!, keySep.Value, itemSep.Value, sortKeys, skipKeys, allowNan);
    }

    private sealed class Encoder : PyObject
    {
        public readonly PyObject Markers, Default, StrEncoder, Indent;
        public readonly string KeySeparator, ItemSeparator;
        public readonly bool SortKeys, SkipKeys, AllowNan;
        /// <summary>0: call <see cref="StrEncoder"/>; 1: it is our encode_basestring_ascii; 2: our encode_basestring.</summary>
        private readonly byte _fastEncode;

        public Encoder(PyObject markers, PyObject dflt, PyObject encoder, PyObject indent, string keySep, string itemSep,
            bool sortKeys, bool skipKeys, bool allowNan)
        {
            Markers = markers; Default = dflt; StrEncoder = encoder; Indent = indent;
            KeySeparator = keySep; ItemSeparator = itemSep;
            SortKeys = sortKeys; SkipKeys = skipKeys; AllowNan = allowNan;
            if (encoder is PyBuiltinFunction f)
                _fastEncode = ReferenceEquals(f.Fn, EncodeAsciiFn) ? (byte)1 : ReferenceEquals(f.Fn, EncodeFn) ? (byte)2 : (byte)0;
        }

        public override PyType Type => s_encoderType!;
        public override bool IsCallable => true;

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        {
            var p = IterencodeArgs.Parse(args, kwnames);
            var obj = p[0]!;
            ArgParser.ToSsize(p[1]!); // the indent level: only the pure encoder indents
            var sb = new StringBuilder();
            // the markers dict stands for "check for cycles"; the containers being encoded are tracked by identity
            var active = Markers is PyDict ? new HashSet<object>(ReferenceEqualityComparer.Instance) : null;
            EncodeObj(sb, obj, active);
            return new PyList(new PyObject[] { new PyStr(sb.ToString()) });
        }

        private void EncodeString(StringBuilder sb, PyStr s)
        {
            switch (_fastEncode)
            {
                case 1: AppendQuoted(sb, s.Value, ascii: true); return;
                case 2: AppendQuoted(sb, s.Value, ascii: false); return;
            }
            var encoded = Ops.Call1(StrEncoder, s);
            if (encoded is not PyStr es) throw Ops.TypeError($"encoder() must return a string, not {encoded.Type.Name}");
            sb.Append(es.Value);
        }

        private string FloatText(PyFloat f)
        {
            double d = f.V;
            if (!double.IsFinite(d))
            {
                if (!AllowNan) throw Ops.ValueError("Out of range float values are not JSON compliant");
                return d > 0 ? "Infinity" : d < 0 ? "-Infinity" : "NaN";
            }
            return Formatting.FloatRepr(d);
        }

        private void EncodeObj(StringBuilder sb, PyObject obj, HashSet<object>? active)
        {
            switch (obj)
            {
                case PyNone: sb.Append("null"); return;
                case PyBool b: sb.Append(b.V != 0 ? "true" : "false"); return;
                case PyStr s: EncodeString(sb, s); return;
                case PyInt i: sb.Append(i.BigV == null ? i.V.ToString(CultureInfo.InvariantCulture) : i.Repr()); return;
                case PyFloat f: sb.Append(FloatText(f)); return;
                case PyList or PyTuple:
                    Recursion.Enter(" while encoding a JSON object");
                    try { EncodeList(sb, obj, active); }
                    finally { Recursion.Leave(); }
                    return;
                case PyDict d:
                    Recursion.Enter(" while encoding a JSON object");
                    try { EncodeDict(sb, d, active); }
                    finally { Recursion.Leave(); }
                    return;
            }
            if (active != null && !active.Add(obj)) throw Ops.ValueError("Circular reference detected");
            var newObj = Ops.Call1(Default, obj);
            Recursion.Enter(" while encoding a JSON object");
            try { EncodeObj(sb, newObj, active); }
            finally { Recursion.Leave(); }
            active?.Remove(obj);
        }

        private void EncodeList(StringBuilder sb, PyObject seq, HashSet<object>? active)
        {
            PyObject[] items; int n;
            if (seq is PyList l) { items = l.Items; n = l.Count; }
            else { items = ((PyTuple)seq).Items; n = items.Length; }
            if (n == 0) { sb.Append("[]"); return; }
            if (active != null && !active.Add(seq)) throw Ops.ValueError("Circular reference detected");
            sb.Append('[');
            for (int i = 0; ; i++)
            {
                // a list may change under a default() or encoder() call: read it afresh each time, as PySequence_Fast's list
                if (seq is PyList ll) { if (i >= ll.Count) break; items = ll.Items; }
                else if (i >= n) break;
                if (i > 0) sb.Append(ItemSeparator);
                EncodeObj(sb, items[i], active);
            }
            active?.Remove(seq);
            sb.Append(']');
        }

        private void EncodeDict(StringBuilder sb, PyDict d, HashSet<object>? active)
        {
            if (d.Count == 0) { sb.Append("{}"); return; }
            if (active != null && !active.Add(d)) throw Ops.ValueError("Circular reference detected");
            sb.Append('{');
            bool first = true;
            if (SortKeys || !ReferenceEquals(d.Type, PyDict.TypeObj))
            {
                // PyMapping_Items, sorted as a list of (key, value) tuples
                var items = new PyList(Ops.ToArray(Ops.CallMethod(d, "items")));
                if (SortKeys) Ops.CallMethod(items, "sort");
                for (int i = 0; i < items.Count; i++)
                {
                    if (items.Items[i] is not PyTuple { Items.Length: 2 } kv) throw Ops.ValueError("items must return 2-tuples");
                    EncodeItem(sb, ref first, kv.Items[0], kv.Items[1], active);
                }
            }
            else
            {
                foreach (var kv in d.Items()) EncodeItem(sb, ref first, kv.Key, kv.Value, active);
            }
            active?.Remove(d);
            sb.Append('}');
        }

        private void EncodeItem(StringBuilder sb, ref bool first, PyObject key, PyObject value, HashSet<object>? active)
        {
            PyStr? keyStr = null;
            string? keyText = null;
            switch (key)
            {
                case PyStr ks: keyStr = ks; break;
                case PyFloat kf: keyText = FloatText(kf); break;
                case PyBool kb: keyText = kb.V != 0 ? "true" : "false"; break;
                case PyNone: keyText = "null"; break;
                case PyInt ki: keyText = ki.BigV == null ? ki.V.ToString(CultureInfo.InvariantCulture) : ki.Repr(); break;
                default:
                    if (SkipKeys) return;
                    throw Ops.TypeError($"keys must be str, int, float, bool or None, not {key.Type.Name}");
            }
            if (first) first = false;
            else sb.Append(ItemSeparator);
            EncodeString(sb, keyStr ?? new PyStr(keyText!));
            sb.Append(KeySeparator);
            EncodeObj(sb, value, active);
        }
    }
}
