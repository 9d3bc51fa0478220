using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>The re module on top of .NET Regex (translating Python syntax differences).</summary>
public static class ReModule
{
    public const int IGNORECASE = 2, LOCALE = 4, MULTILINE = 8, DOTALL = 16, UNICODE = 32, VERBOSE = 64, ASCII = 256;
    /// <summary>re.Pattern, re.Match and re.error: made once for the process, shared by every interpreter (built-in types).</summary>
    public static PyType PatternType { get; private set; } = null!;
    public static PyType MatchType { get; private set; } = null!;
    public static PyType ErrorType { get; private set; } = null!;
    private static readonly object TypesGate = new();
    private static volatile bool s_typesReady;

    public static string Translate(string p) => Translate(p, new Dictionary<string, int>());

    public static string Translate(string p, Dictionary<string, int> names)
    {
        var sb = new StringBuilder();
        int groups = 0;
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                char n = p[i + 1];
                if (n == 'Z') { sb.Append("\\z"); i++; continue; }
                if (n == 'A') { sb.Append("\\A"); i++; continue; }
                sb.Append(c).Append(n); i++;
                continue;
            }
            if (c == '(' && i + 2 < p.Length && p[i + 1] == '?' && p[i + 2] == 'P')
            {
                if (i + 3 < p.Length && p[i + 3] == '<')
                {
                    int close = p.IndexOf('>', i);
                    names[p.Substring(i + 4, close - i - 4)] = ++groups;
                    sb.Append('(');
                    i = close;
                    continue;
                }
                if (i + 3 < p.Length && p[i + 3] == '=')
                {
                    int close = p.IndexOf(')', i);
                    var nm = p.Substring(i + 4, close - i - 4);
                    if (!names.TryGetValue(nm, out int gi)) throw new ArgumentException("unknown group name '" + nm + "'");
                    sb.Append("(?:\\").Append(gi).Append(')');
                    i = close;
                    continue;
                }
            }
            if (c == '(' && !(i + 1 < p.Length && p[i + 1] == '?')) groups++;
            if (c == '(' && i + 2 < p.Length && p[i + 1] == '?' && p[i + 2] == '<' && i + 3 < p.Length && p[i + 3] != '=' && p[i + 3] != '!')
            {
                int close = p.IndexOf('>', i);
                names[p.Substring(i + 3, close - i - 3)] = ++groups;
                sb.Append('(');
                i = close;
                continue;
            }
            if (c == '[')
            {
                // copy character class verbatim (handle leading ']' and escapes)
                int j = i + 1;
                sb.Append('[');
                if (j < p.Length && p[j] == '^') { sb.Append('^'); j++; }
                if (j < p.Length && p[j] == ']') { sb.Append("\\]"); j++; }
                while (j < p.Length && p[j] != ']')
                {
                    if (p[j] == '\\' && j + 1 < p.Length) { sb.Append(p[j]).Append(p[j + 1]); j += 2; continue; }
                    if (p[j] == '[') { sb.Append("\\["); j++; continue; }
                    sb.Append(p[j]); j++;
                }
                if (j < p.Length) sb.Append(']');
                i = j;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A compiled pattern, from <paramref name="cache"/> (the module's: each interpreter's re has its own, as
    /// CPython's re._cache) when compiled before.</summary>
    public static PyPattern Compile(PyObject pattern, int flags, Dictionary<(string, int), PyPattern> cache)
    {
        if (pattern is PyPattern pp) return pp;
        string p = pattern is PyStr s ? s.Value : pattern is PyBytes b ? Encoding.Latin1.GetString(b.Span) : throw Ops.TypeError("first argument must be string or compiled pattern");
        lock (cache)
        {
            if (cache.TryGetValue((p, flags), out var c)) return c;
        }
        var opts = RegexOptions.CultureInvariant;
        if ((flags & IGNORECASE) != 0) opts |= RegexOptions.IgnoreCase;
        if ((flags & MULTILINE) != 0) opts |= RegexOptions.Multiline;
        if ((flags & DOTALL) != 0) opts |= RegexOptions.Singleline;
        if ((flags & VERBOSE) != 0) opts |= RegexOptions.IgnorePatternWhitespace;
        if ((flags & ASCII) != 0) opts |= RegexOptions.ECMAScript & 0;
        Regex rx;
        var names = new Dictionary<string, int>();
        try { rx = new Regex(Translate(p, names), opts); }
        catch (ArgumentException e) { throw new PyException(PyBaseException.Create(ErrorType, e.Message)); }
        var pat = new PyPattern(rx, p, flags, pattern is PyBytes, names);
        lock (cache) { if (cache.Count > 500) cache.Clear(); cache[(p, flags)] = pat; }
        return pat;
    }

    private static int Flags(ReadOnlySpan<PyObject> a, PyStr[]? k, int idx) => Ops.Arg(a, k, idx, "flags") is PyObject f ? (int)Ops.IndexValue(f) : 0;
    private static string Str(PyObject o) => o is PyStr s ? s.Value : o is PyBytes b ? Encoding.Latin1.GetString(b.Span) : throw Ops.TypeError($"expected string or bytes-like object, got '{o.Type.Name}'");

    public static PyModule Create()
    {
        EnsureTypes();
        var m = new PyModule("re");
        var cache = new Dictionary<(string, int), PyPattern>();
        m.Add("error", ErrorType);
        m.Add("Pattern", PatternType); m.Add("Match", MatchType);
        foreach (var (n, v) in new[] { ("I", IGNORECASE), ("IGNORECASE", IGNORECASE), ("M", MULTILINE), ("MULTILINE", MULTILINE), ("S", DOTALL), ("DOTALL", DOTALL),
            ("X", VERBOSE), ("VERBOSE", VERBOSE), ("A", ASCII), ("ASCII", ASCII), ("U", UNICODE), ("UNICODE", UNICODE), ("L", LOCALE), ("NOFLAG", 0) })
            m.Add(n, PyInt.Get(v));
        m.AddFn("compile", (a, k) => Compile(a[0], Flags(a, k, 1), cache));
        m.AddFn("match", (a, k) => Compile(a[0], Flags(a, k, 2), cache).DoMatch(Str(a[1]), 0, -1, 0));
        m.AddFn("fullmatch", (a, k) => Compile(a[0], Flags(a, k, 2), cache).DoMatch(Str(a[1]), 0, -1, 2));
        m.AddFn("search", (a, k) => Compile(a[0], Flags(a, k, 2), cache).DoMatch(Str(a[1]), 0, -1, 1));
        m.AddFn("findall", (a, k) => Compile(a[0], Flags(a, k, 2), cache).FindAll(Str(a[1]), 0));
        m.AddFn("finditer", (a, k) => Compile(a[0], Flags(a, k, 2), cache).FindIter(Str(a[1]), 0));
        m.AddFn("split", (a, k) => Compile(a[0], Flags(a, k, 3), cache).Split(Str(a[1]), Ops.Arg(a, k, 2, "maxsplit") is PyObject ms ? (int)Ops.IndexValue(ms) : 0));
        m.AddFn("sub", (a, k) => Compile(a[0], Flags(a, k, 4), cache).Sub(a[1], Str(a[2]), Ops.Arg(a, k, 3, "count") is PyObject c ? (int)Ops.IndexValue(c) : 0, false));
        m.AddFn("subn", (a, k) => Compile(a[0], Flags(a, k, 4), cache).Sub(a[1], Str(a[2]), Ops.Arg(a, k, 3, "count") is PyObject c ? (int)Ops.IndexValue(c) : 0, true));
        m.AddFn("escape", (a, k) =>
        {
            var s = Str(a[0]); var sb = new StringBuilder();
            foreach (var c in s) { if (!(char.IsLetterOrDigit(c) || c == '_') && c < 128) sb.Append('\\'); sb.Append(c); }
            return PyStr.Of(sb.ToString());
        });
        m.AddFn("purge", (a, k) => { lock (cache) cache.Clear(); return PyNone.Instance; });
        return m;
    }

    private static void EnsureTypes()
    {
        if (s_typesReady) return;
        lock (TypesGate)
        {
            if (s_typesReady) return;
            PatternType = new PyType("Pattern", PyType.ObjectType, null) { ModuleName = "re" };
            MatchType = new PyType("Match", PyType.ObjectType, null) { ModuleName = "re" };
            ErrorType = new PyType("error", PyBaseException.ExceptionType, null) { ModuleName = "re" };
            AddMethods(PatternType, MatchType);
            s_typesReady = true;
        }
    }

    private static void AddMethods(PyType pt, PyType mt)
    {
        pt.AddMethod("match", (a, k) => ((PyPattern)a[0]).DoMatch(Str(a[1]), Pos(a, k, 2, "pos"), EndPos(a, k), 0));
        pt.AddMethod("fullmatch", (a, k) => ((PyPattern)a[0]).DoMatch(Str(a[1]), Pos(a, k, 2, "pos"), EndPos(a, k), 2));
        pt.AddMethod("search", (a, k) => ((PyPattern)a[0]).DoMatch(Str(a[1]), Pos(a, k, 2, "pos"), EndPos(a, k), 1));
        pt.AddMethod("findall", (a, k) => ((PyPattern)a[0]).FindAll(Str(a[1]), Pos(a, k, 2, "pos")));
        pt.AddMethod("finditer", (a, k) => ((PyPattern)a[0]).FindIter(Str(a[1]), Pos(a, k, 2, "pos")));
        pt.AddMethod("split", (a, k) => ((PyPattern)a[0]).Split(Str(a[1]), Ops.Arg(a, k, 2, "maxsplit") is PyObject ms ? (int)Ops.IndexValue(ms) : 0));
        pt.AddMethod("sub", (a, k) => ((PyPattern)a[0]).Sub(a[1], Str(a[2]), Ops.Arg(a, k, 3, "count") is PyObject c ? (int)Ops.IndexValue(c) : 0, false));
        pt.AddMethod("subn", (a, k) => ((PyPattern)a[0]).Sub(a[1], Str(a[2]), Ops.Arg(a, k, 3, "count") is PyObject c ? (int)Ops.IndexValue(c) : 0, true));
        mt.AddMethod("group", (a, k) =>
        {
            var mm = (PyMatch)a[0];
            if (a.Length <= 2) return mm.Group(a.Length == 1 ? PyInt.Zero : a[1]);
            var r = new PyObject[a.Length - 1];
            for (int i = 1; i < a.Length; i++) r[i - 1] = mm.Group(a[i]);
            return new PyTuple(r);
        });
        mt.AddMethod("__getitem__", (a, k) => ((PyMatch)a[0]).Group(a[1]));
        mt.AddMethod("groups", (a, k) =>
        {
            var mm = (PyMatch)a[0];
            var def = Ops.Arg(a, k, 1, "default") ?? PyNone.Instance;
            var r = new PyObject[mm.Pattern.GroupCount];
            for (int i = 0; i < r.Length; i++) r[i] = mm.GroupOr(i + 1, def);
            return new PyTuple(r);
        });
        mt.AddMethod("groupdict", (a, k) =>
        {
            var mm = (PyMatch)a[0];
            var def = Ops.Arg(a, k, 1, "default") ?? PyNone.Instance;
            var d = new PyDict();
            foreach (var kv in mm.Pattern.Names)
            {
                var g = mm.M.Groups[kv.Value];
                d.SetItem(PyStr.Of(kv.Key), g.Success ? mm.Pattern.Wrap(g.Value) : def);
            }
            return d;
        });
        mt.AddMethod("start", (a, k) => PyInt.Get(((PyMatch)a[0]).GroupObj(a.Length > 1 ? a[1] : PyInt.Zero) is Group g && g.Success ? g.Index : -1));
        mt.AddMethod("end", (a, k) => PyInt.Get(((PyMatch)a[0]).GroupObj(a.Length > 1 ? a[1] : PyInt.Zero) is Group g && g.Success ? g.Index + g.Length : -1));
        mt.AddMethod("span", (a, k) =>
        {
            var g = ((PyMatch)a[0]).GroupObj(a.Length > 1 ? a[1] : PyInt.Zero);
            return g.Success ? new PyTuple(new PyObject[] { PyInt.Get(g.Index), PyInt.Get(g.Index + g.Length) }) : new PyTuple(new PyObject[] { PyInt.Get(-1), PyInt.Get(-1) });
        });
        mt.AddMethod("expand", (a, k) => PyStr.Of(((PyMatch)a[0]).M.Result(ConvertRepl(Str(a[1]), ((PyMatch)a[0]).Pattern.Names))));
    }

    private static int Pos(ReadOnlySpan<PyObject> a, PyStr[]? k, int i, string n) => Ops.Arg(a, k, i, n) is PyObject p ? (int)Ops.IndexValue(p) : 0;
    private static int EndPos(ReadOnlySpan<PyObject> a, PyStr[]? k) => Ops.Arg(a, k, 3, "endpos") is PyObject p ? (int)Ops.IndexValue(p) : -1;

    public static string ConvertRepl(string r, Dictionary<string, int>? names = null)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < r.Length; i++)
        {
            char c = r[i];
            if (c == '$') { sb.Append("$$"); continue; }
            if (c == '\\' && i + 1 < r.Length)
            {
                char n = r[i + 1];
                if (char.IsDigit(n))
                {
                    int j = i + 1; var num = new StringBuilder();
                    while (j < r.Length && char.IsDigit(r[j]) && num.Length < 2) num.Append(r[j++]);
                    sb.Append("${").Append(num).Append('}');
                    i = j - 1; continue;
                }
                if (n == 'g' && i + 2 < r.Length && r[i + 2] == '<')
                {
                    int close = r.IndexOf('>', i);
                    var gn = r.Substring(i + 3, close - i - 3);
                    if (names != null && names.TryGetValue(gn, out int gnum)) gn = gnum.ToString();
                    sb.Append("${").Append(gn).Append('}');
                    i = close; continue;
                }
                switch (n)
                {
                    case 'n': sb.Append('\n'); i++; continue;
                    case 't': sb.Append('\t'); i++; continue;
                    case 'r': sb.Append('\r'); i++; continue;
                    case '\\': sb.Append('\\'); i++; continue;
                }
                sb.Append(c);
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

public sealed class PyPattern : PyObject
{
    public readonly Regex Rx;
    public readonly string Source;
    public readonly int Flags;
    public readonly bool IsBytes;
    public readonly int GroupCount;
    public readonly Dictionary<string, int> Names;
    public PyPattern(Regex rx, string src, int flags, bool isBytes, Dictionary<string, int> names)
    {
        Rx = rx; Source = src; Flags = flags; IsBytes = isBytes; Names = names;
        GroupCount = rx.GetGroupNumbers().Length - 1;
    }
    public override PyType Type => ReModule.PatternType;
    public override string Repr() => "re.compile(" + Formatting.StrRepr(Source) + (Flags != 0 ? ", re." + FlagNames() : "") + ")";
    private string FlagNames()
    {
        var l = new List<string>();
        if ((Flags & ReModule.IGNORECASE) != 0) l.Add("IGNORECASE");
        if ((Flags & ReModule.MULTILINE) != 0) l.Add("MULTILINE");
        if ((Flags & ReModule.DOTALL) != 0) l.Add("DOTALL");
        if ((Flags & ReModule.VERBOSE) != 0) l.Add("VERBOSE");
        return string.Join("|re.", l);
    }
    public override long Hash() => Source.GetHashCode() ^ Flags;
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "pattern": return PyStr.Of(Source);
            case "flags": return PyInt.Get(Flags | 32);
            case "groups": return PyInt.Get(GroupCount);
            case "groupindex":
                {
                    var d = new PyDict();
                    foreach (var kv in Names) d.SetItem(PyStr.Of(kv.Key), PyInt.Get(kv.Value));
                    return d;
                }
        }
        return base.GetAttrOrNull(name);
    }

    public PyObject Wrap(string s) => IsBytes ? new PyBytes(Encoding.Latin1.GetBytes(s)) : PyStr.Of(s);

    /// <summary>mode 0 = match at pos, 1 = search, 2 = fullmatch.</summary>
    public PyObject DoMatch(string s, int pos, int endpos, int mode)
    {
        if (endpos < 0 || endpos > s.Length) endpos = s.Length;
        if (pos < 0) pos = 0;
        if (pos > endpos) return PyNone.Instance;
        var sub = endpos < s.Length ? s.Substring(0, endpos) : s;
        if (mode == 1)
        {
            var m = Rx.Match(sub, pos);
            return m.Success ? new PyMatch(this, m, s, pos, endpos) : PyNone.Instance;
        }
        var m2 = Rx.Match(sub, pos);
        while (m2.Success && m2.Index == pos)
        {
            if (mode == 0 || m2.Index + m2.Length == endpos) return new PyMatch(this, m2, s, pos, endpos);
            break;
        }
        if (mode == 2 || (m2.Success && m2.Index != pos) || !m2.Success)
        {
            // retry anchored: build an anchored regex
            var anchored = new Regex(@"\G(?:" + Rx.ToString() + ")" + (mode == 2 ? @"\z" : ""), Rx.Options);
            var m3 = anchored.Match(sub, pos);
            if (m3.Success && m3.Index == pos && (mode == 0 || m3.Index + m3.Length == endpos)) return new PyMatch(this, m3, s, pos, endpos);
        }
        return PyNone.Instance;
    }

    public PyObject FindAll(string s, int pos)
    {
        var l = new PyList();
        foreach (Match m in Rx.Matches(s, pos))
        {
            if (GroupCount == 0) l.Append(Wrap(m.Value));
            else if (GroupCount == 1) l.Append(Wrap(m.Groups[1].Success ? m.Groups[1].Value : ""));
            else
            {
                var t = new PyObject[GroupCount];
                for (int i = 0; i < GroupCount; i++) t[i] = Wrap(m.Groups[i + 1].Success ? m.Groups[i + 1].Value : "");
                l.Append(new PyTuple(t));
            }
        }
        return l;
    }

    public PyObject FindIter(string s, int pos)
    {
        var l = new List<PyObject>();
        foreach (Match m in Rx.Matches(s, pos)) l.Add(new PyMatch(this, m, s, pos, s.Length));
        return new PySeqIterator(l.ToArray(), l.Count);
    }

    public PyObject Split(string s, int maxsplit)
    {
        var l = new PyList();
        int last = 0, n = 0;
        foreach (Match m in Rx.Matches(s))
        {
            if (maxsplit > 0 && n >= maxsplit) break;
            if (m.Length == 0 && (m.Index == 0 && false)) continue;
            l.Append(Wrap(s.Substring(last, m.Index - last)));
            for (int i = 1; i <= GroupCount; i++) l.Append(m.Groups[i].Success ? Wrap(m.Groups[i].Value) : PyNone.Instance);
            last = m.Index + m.Length;
            n++;
        }
        l.Append(Wrap(s.Substring(last)));
        return l;
    }

    public PyObject Sub(PyObject repl, string s, int count, bool withCount)
    {
        int n = 0;
        MatchEvaluator ev;
        if (repl is PyStr || repl is PyBytes)
        {
            var r = ReModule.ConvertRepl(repl is PyStr rs ? rs.Value : Encoding.Latin1.GetString(((PyBytes)repl).Span), Names);
            ev = m => { n++; return m.Result(r); };
        }
        else ev = m => { n++; return Ops.Str(Ops.Call1(repl, new PyMatch(this, m, s, 0, s.Length))); };
        var res = count > 0 ? Rx.Replace(s, ev, count) : Rx.Replace(s, ev);
        if (withCount) return new PyTuple(new PyObject[] { Wrap(res), PyInt.Get(n) });
        return Wrap(res);
    }
}

public sealed class PyMatch : PyObject
{
    public readonly PyPattern Pattern;
    public readonly Match M;
    public readonly string Subject;
    public readonly int Pos, EndPos;
    public PyMatch(PyPattern p, Match m, string s, int pos, int endpos) { Pattern = p; M = m; Subject = s; Pos = pos; EndPos = endpos; }
    public override PyType Type => ReModule.MatchType;
    public override bool IsTrue() => true;
    public override string Repr() => $"<re.Match object; span=({M.Index}, {M.Index + M.Length}), match={Ops.Repr(Pattern.Wrap(M.Value))}>";

    public Group GroupObj(PyObject idx)
    {
        if (idx is PyInt i)
        {
            if (i.V < 0 || i.V > Pattern.GroupCount) throw Ops.IndexError("no such group");
            return M.Groups[(int)i.V];
        }
        var name = Ops.Str(idx);
        if (!Pattern.Names.TryGetValue(name, out int gi)) throw Ops.IndexError("no such group");
        return M.Groups[gi];
    }
    public PyObject Group(PyObject idx) { var g = GroupObj(idx); return g.Success ? Pattern.Wrap(g.Value) : PyNone.Instance; }
    public PyObject GroupOr(int i, PyObject def) { var g = M.Groups[i]; return g.Success ? Pattern.Wrap(g.Value) : def; }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "string": return Pattern.Wrap(Subject);
            case "re": return Pattern;
            case "pos": return PyInt.Get(Pos);
            case "endpos": return PyInt.Get(EndPos);
            case "lastindex":
                {
                    int last = -1, lastEnd = -1;
                    for (int i = 1; i <= Pattern.GroupCount; i++) { var g = M.Groups[i]; if (g.Success && g.Index + g.Length >= lastEnd) { last = i; lastEnd = g.Index + g.Length; } }
                    return last < 0 ? PyNone.Instance : PyInt.Get(last);
                }
            case "lastgroup":
                {
                    int last = -1, lastEnd = -1;
                    for (int i = 1; i <= Pattern.GroupCount; i++) { var g = M.Groups[i]; if (g.Success && g.Index + g.Length >= lastEnd) { last = i; lastEnd = g.Index + g.Length; } }
                    if (last < 0) return PyNone.Instance;
                    foreach (var kv in Pattern.Names) if (kv.Value == last) return PyStr.Of(kv.Key);
                    return PyNone.Instance;
                }
        }
        return base.GetAttrOrNull(name);
    }
}
