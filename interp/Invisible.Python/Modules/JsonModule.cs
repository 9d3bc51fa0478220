using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

public static class JsonModule
{
    private static PyType? s_decodeError;
    private static readonly object TypesGate = new();

    /// <summary>json.JSONDecodeError: made once for the process, shared by every interpreter (a built-in type).</summary>
    public static PyType DecodeErrorType
    {
        get
        {
            if (s_decodeError is { } t) return t;
            lock (TypesGate) return s_decodeError ??= new PyType("JSONDecodeError", PyBaseException.ValueErrorType, null) { ModuleName = "json.decoder" };
        }
    }

    public static PyModule Create()
    {
        var m = new PyModule("json");
        m.Add("JSONDecodeError", DecodeErrorType);
        m.AddFn("dumps", (a, k) => PyStr.Of(Dumps(a[0], a, k)));
        m.AddFn("dump", (a, k) => { Ops.CallMethod(a[1], "write", PyStr.Of(Dumps(a[0], a, k))); return PyNone.Instance; });
        m.AddFn("loads", (a, k) => Loads(a[0] is PyBytes b ? Encoding.UTF8.GetString(b.Span) : Ops.Str(a[0])));
        m.AddFn("load", (a, k) => Loads(Ops.Str(Ops.CallMethod(a[0], "read"))));
        return m;
    }

    private sealed class Opts
    {
        public string? Indent;
        public string ItemSep = ", ", KeySep = ": ";
        public bool SortKeys, EnsureAscii = true, SkipKeys, AllowNan = true;
        public PyObject? Default;
    }

    private static string Dumps(PyObject obj, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var o = new Opts();
        var ind = Ops.Arg(a, k, 99, "indent");
        if (ind != null && ind != PyNone.Instance) { o.Indent = ind is PyStr s ? s.Value : new string(' ', (int)Ops.IndexValue(ind)); o.ItemSep = ","; }
        var seps = Ops.Arg(a, k, 99, "separators");
        if (seps != null && seps != PyNone.Instance) { var t = Ops.ToArray(seps); o.ItemSep = Ops.Str(t[0]); o.KeySep = Ops.Str(t[1]); }
        if (Ops.Arg(a, k, 99, "sort_keys") is PyObject sk) o.SortKeys = Ops.IsTrue(sk);
        if (Ops.Arg(a, k, 99, "ensure_ascii") is PyObject ea) o.EnsureAscii = Ops.IsTrue(ea);
        if (Ops.Arg(a, k, 99, "skipkeys") is PyObject sks) o.SkipKeys = Ops.IsTrue(sks);
        if (Ops.Arg(a, k, 99, "default") is PyObject df && df != PyNone.Instance) o.Default = df;
        var sb = new StringBuilder();
        Write(sb, obj, o, 0, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, PyObject v, Opts o, int level, HashSet<object> seen)
    {
        switch (v)
        {
            case PyNone: sb.Append("null"); return;
            case PyBool b: sb.Append(b.V != 0 ? "true" : "false"); return;
            case PyInt i: sb.Append(i.Repr()); return;
            case PyFloat f: sb.Append(FloatStr(f.V, o)); return;
            case PyStr s: Quote(sb, s.Value, o.EnsureAscii); return;
        }
        // CPython's C encoder counts each nesting level against the recursion limit.
        Recursion.Enter(" while encoding a JSON object");
        try { WriteNested(sb, v, o, level, seen); }
        finally { Recursion.Leave(); }
    }

    private static void WriteNested(StringBuilder sb, PyObject v, Opts o, int level, HashSet<object> seen)
    {
        switch (v)
        {
            case PyNone: sb.Append("null"); return;
            case PyBool b: sb.Append(b.V != 0 ? "true" : "false"); return;
            case PyInt i: sb.Append(i.Repr()); return;
            case PyFloat f: sb.Append(FloatStr(f.V, o)); return;
            case PyStr s: Quote(sb, s.Value, o.EnsureAscii); return;
        }
        if (v is PyList || v is PyTuple)
        {
            if (!seen.Add(v)) throw Ops.ValueError("Circular reference detected");
            var items = Ops.ToArray(v);
            if (items.Length == 0) { sb.Append("[]"); seen.Remove(v); return; }
            sb.Append('[');
            for (int i = 0; i < items.Length; i++)
            {
                if (i > 0) sb.Append(o.ItemSep);
                NewLine(sb, o, level + 1);
                Write(sb, items[i], o, level + 1, seen);
            }
            NewLine(sb, o, level);
            sb.Append(']');
            seen.Remove(v);
            return;
        }
        if (v is PyDict d)
        {
            if (!seen.Add(v)) throw Ops.ValueError("Circular reference detected");
            if (d.Count == 0) { sb.Append("{}"); seen.Remove(v); return; }
            var pairs = new List<(string, PyObject)>();
            foreach (var kv in d.Items())
            {
                string key;
                switch (kv.Key)
                {
                    case PyStr ks: key = ks.Value; break;
                    case PyBool kb: key = kb.V != 0 ? "true" : "false"; break;
                    case PyInt ki: key = ki.Repr(); break;
                    case PyFloat kf: key = FloatStr(kf.V, o); break;
                    case PyNone: key = "null"; break;
                    default:
                        if (o.SkipKeys) continue;
                        throw Ops.TypeError($"keys must be str, int, float, bool or None, not {kv.Key.Type.Name}");
                }
                pairs.Add((key, kv.Value));
            }
            if (o.SortKeys) pairs.Sort((x, y) => string.CompareOrdinal(x.Item1, y.Item1));
            sb.Append('{');
            for (int i = 0; i < pairs.Count; i++)
            {
                if (i > 0) sb.Append(o.ItemSep);
                NewLine(sb, o, level + 1);
                Quote(sb, pairs[i].Item1, o.EnsureAscii);
                sb.Append(o.KeySep);
                Write(sb, pairs[i].Item2, o, level + 1, seen);
            }
            NewLine(sb, o, level);
            sb.Append('}');
            seen.Remove(v);
            return;
        }
        if (o.Default != null) { Write(sb, Ops.Call1(o.Default, v), o, level, seen); return; }
        throw Ops.TypeError($"Object of type {v.Type.Name} is not JSON serializable");
    }

    private static string FloatStr(double d, Opts o)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        return Formatting.FloatRepr(d);
    }

    private static void NewLine(StringBuilder sb, Opts o, int level)
    {
        if (o.Indent == null) return;
        sb.Append('\n');
        for (int i = 0; i < level; i++) sb.Append(o.Indent);
    }

    private static void Quote(StringBuilder sb, string s, bool ascii)
    {
        sb.Append('"');
        foreach (char c in s)
        {
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
                    if (c < 0x20 || (ascii && c > 126)) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    // ---------------- decoding ----------------
    private static PyException Err(string msg, string s, int pos)
    {
        int line = 1, col = 1;
        for (int i = 0; i < pos && i < s.Length; i++) { if (s[i] == '\n') { line++; col = 1; } else col++; }
        var e = PyBaseException.Create(DecodeErrorType, $"{msg}: line {line} column {col} (char {pos})");
        e.Dict!.SetItem("msg", PyStr.Of(msg));
        e.Dict.SetItem("pos", PyInt.Get(pos));
        e.Dict.SetItem("lineno", PyInt.Get(line));
        e.Dict.SetItem("colno", PyInt.Get(col));
        return new PyException(e);
    }

    public static PyObject Loads(string s)
    {
        int i = 0;
        SkipWs(s, ref i);
        var v = Value(s, ref i);
        SkipWs(s, ref i);
        if (i < s.Length) throw Err("Extra data", s, i);
        return v;
    }

    private static void SkipWs(string s, ref int i) { while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++; }

    private static PyObject Value(string s, ref int i)
    {
        if (i >= s.Length) throw Err("Expecting value", s, i);
        char c = s[i];
        switch (c)
        {
            case '{':
                {
                    Recursion.Enter(" while decoding a JSON object from a unicode string");
                    try { return ObjectValue(s, ref i); }
                    finally { Recursion.Leave(); }
                }
            case '[':
                {
                    Recursion.Enter(" while decoding a JSON array from a unicode string");
                    try { return ArrayValue(s, ref i); }
                    finally { Recursion.Leave(); }
                }
            case '"': return PyStr.Of(StrLit(s, ref i));
        }
        return Scalar(s, ref i);
    }

    private static PyObject ObjectValue(string s, ref int i)
    {
        i++;
        var d = new PyDict();
        SkipWs(s, ref i);
        if (i < s.Length && s[i] == '}') { i++; return d; }
        while (true)
        {
            SkipWs(s, ref i);
            if (i >= s.Length || s[i] != '"') throw Err("Expecting property name enclosed in double quotes", s, i);
            var key = StrLit(s, ref i);
            SkipWs(s, ref i);
            if (i >= s.Length || s[i] != ':') throw Err("Expecting ':' delimiter", s, i);
            i++;
            SkipWs(s, ref i);
            d.SetItem(PyStr.Of(key), Value(s, ref i));
            SkipWs(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == '}') { i++; return d; }
            throw Err("Expecting ',' delimiter", s, i);
        }
    }

    private static PyObject ArrayValue(string s, ref int i)
    {
        i++;
        var l = new PyList();
        SkipWs(s, ref i);
        if (i < s.Length && s[i] == ']') { i++; return l; }
        while (true)
        {
            SkipWs(s, ref i);
            l.Append(Value(s, ref i));
            SkipWs(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == ']') { i++; return l; }
            throw Err("Expecting ',' delimiter", s, i);
        }
    }

    private static PyObject Scalar(string s, ref int i)
    {
        char c = s[i];
        if (string.CompareOrdinal(s, i, "true", 0, 4) == 0) { i += 4; return PyBool.True; }
        if (string.CompareOrdinal(s, i, "false", 0, 5) == 0) { i += 5; return PyBool.False; }
        if (string.CompareOrdinal(s, i, "null", 0, 4) == 0) { i += 4; return PyNone.Instance; }
        if (string.CompareOrdinal(s, i, "NaN", 0, 3) == 0) { i += 3; return new PyFloat(double.NaN); }
        if (string.CompareOrdinal(s, i, "Infinity", 0, 8) == 0) { i += 8; return new PyFloat(double.PositiveInfinity); }
        if (string.CompareOrdinal(s, i, "-Infinity", 0, 9) == 0) { i += 9; return new PyFloat(double.NegativeInfinity); }
        if (c == '-' || char.IsDigit(c))
        {
            int st = i;
            if (s[i] == '-') i++;
            if (i >= s.Length || !char.IsDigit(s[i])) throw Err("Expecting value", s, st);
            while (i < s.Length && char.IsDigit(s[i])) i++;
            bool isF = false;
            if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsDigit(s[i + 1])) { isF = true; i++; while (i < s.Length && char.IsDigit(s[i])) i++; }
            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                int save = i; i++;
                if (i < s.Length && (s[i] == '+' || s[i] == '-')) i++;
                if (i < s.Length && char.IsDigit(s[i])) { isF = true; while (i < s.Length && char.IsDigit(s[i])) i++; }
                else i = save;
            }
            var txt = s.Substring(st, i - st);
            if (isF) return new PyFloat(double.Parse(txt, CultureInfo.InvariantCulture));
            return PyInt.Get(BigInteger.Parse(txt, CultureInfo.InvariantCulture));
        }
        throw Err("Expecting value", s, i);
    }

    private static string StrLit(string s, ref int i)
    {
        int start = i;
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length) throw Err("Unterminated string starting at", s, start);
            char c = s[i++];
            if (c == '"') return sb.ToString();
            if (c == '\\')
            {
                if (i >= s.Length) throw Err("Unterminated string starting at", s, start);
                char e = s[i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length) throw Err("Invalid \\uXXXX escape", s, i - 1);
                        sb.Append((char)int.Parse(s.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: throw Err("Invalid \\escape", s, i - 2);
                }
                continue;
            }
            if (c < 0x20) throw Err("Invalid control character at", s, i - 1);
            sb.Append(c);
        }
    }
}
