using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules.Sre;

/// <summary>
/// <c>_sre</c>: CPython 3.11's regular expression engine (<c>Modules/_sre/</c>) in C#. CPython's own
/// <c>Lib/re</c> parses and compiles a pattern into sre code and hands it to <c>_sre.compile</c>; this module runs
/// that code (<see cref="SreState"/>) and provides the Pattern, Match and Scanner objects.
/// </summary>
public static class SreModule
{
    public const int MAGIC = 20220615;
    public const int CODESIZE = 4;
    public const long MAXGROUPS = 1073741823;

    internal const int FLAG_TEMPLATE = 1, FLAG_IGNORECASE = 2, FLAG_LOCALE = 4, FLAG_MULTILINE = 8, FLAG_DOTALL = 16,
        FLAG_UNICODE = 32, FLAG_VERBOSE = 64, FLAG_DEBUG = 128, FLAG_ASCII = 256;

    /// <summary>re.Pattern, re.Match and _sre.SRE_Scanner: immutable built-in types shared by every interpreter.</summary>
    public static readonly PyType PatternType = MakePatternType();
    public static readonly PyType MatchType = MakeMatchType();
    public static readonly PyType ScannerType = MakeScannerType();
    internal static readonly PyType IteratorType = MakeIteratorType();

    public static PyModule Create()
    {
        var m = new PyModule("_sre");
        m.Add("MAGIC", PyInt.Get(MAGIC));
        m.Add("CODESIZE", PyInt.Get(CODESIZE));
        m.Add("MAXREPEAT", PyInt.Get((long)Op.MAXREPEAT));
        m.Add("MAXGROUPS", PyInt.Get(MAXGROUPS));
        m.Add("copyright", PyStr.Of(" SRE 2.2.2 Copyright (c) 1997-2002 by Secret Labs AB "));
        m.AddFn("getcodesize", (a, k) => { Args.Exact(a, k, 0, "getcodesize"); return PyInt.Get(CODESIZE); });
        m.AddFn("ascii_iscased", (a, k) =>
        {
            int ch = Args.CharArg(a, k, "ascii_iscased");
            return PyBool.Of(ch < 128 && ((uint)((ch | 0x20) - 'a') < 26));
        });
        m.AddFn("unicode_iscased", (a, k) =>
        {
            int ch = Args.CharArg(a, k, "unicode_iscased");
            return PyBool.Of(ch != SreChars.LowerUnicode(ch) || ch != SreChars.UpperUnicode(ch));
        });
        m.AddFn("ascii_tolower", (a, k) => PyInt.Get(SreChars.LowerAscii(Args.CharArg(a, k, "ascii_tolower"))));
        m.AddFn("unicode_tolower", (a, k) => PyInt.Get(SreChars.LowerUnicode(Args.CharArg(a, k, "unicode_tolower"))));
        m.AddFn("compile", Compile);
        return m;
    }

    /// <summary>_sre.compile(pattern, flags, code, groups, groupindex, indexgroup), called by Lib/re/_compiler.py.</summary>
    private static PyObject Compile(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var v = Args.Parse(a, k, "compile", new[] { "pattern", "flags", "code", "groups", "groupindex", "indexgroup" }, 6);
        var pattern = v[0]!;
        int flags = (int)Ops.IndexValue(v[1]!);
        if (v[2] is not PyList codeList) throw Ops.TypeError($"compile() argument 'code' must be list, not {v[2]!.Type.Name}");
        var code = new uint[codeList.Count];
        for (int i = 0; i < code.Length; i++)
        {
            var item = codeList.Items[i];
            if (item is not PyInt n) throw Ops.TypeError($"'{item.Type.Name}' object cannot be interpreted as an integer");
            if (n.IsBig || n.V < 0 || n.V > uint.MaxValue) throw Ops.OverflowError("regular expression code size limit exceeded");
            code[i] = (uint)n.V;
        }
        long groups = Ops.IndexValue(v[3]!);
        if (groups < 0 || groups > MAXGROUPS) throw Ops.OverflowError("too many groups");
        if (v[4] is not PyDict groupindex) throw Ops.TypeError($"compile() argument 'groupindex' must be dict, not {v[4]!.Type.Name}");
        if (v[5] is not PyTuple indexgroup) throw Ops.TypeError($"compile() argument 'indexgroup' must be tuple, not {v[5]!.Type.Name}");
        int isBytes = pattern is PyStr ? 0 : pattern is PyNone ? -1 : 1;
        if (isBytes == 1 && pattern is not PyBytes) throw Ops.TypeError("expected string or bytes-like object");
        return new SrePattern(pattern, flags, code, (int)groups, groupindex, indexgroup, isBytes);
    }

    private static PyType MakePatternType()
    {
        var t = new PyType("Pattern", PyType.ObjectType, null) { ModuleName = "re" };
        t.AddMethod("match", (a, k) => Self(a).MatchMethod(a.Slice(1), k, "match", false, false));
        t.AddMethod("fullmatch", (a, k) => Self(a).MatchMethod(a.Slice(1), k, "fullmatch", true, false));
        t.AddMethod("search", (a, k) => Self(a).MatchMethod(a.Slice(1), k, "search", false, true));
        t.AddMethod("findall", (a, k) => Self(a).FindAll(a.Slice(1), k));
        t.AddMethod("finditer", (a, k) => new SreIterator(Self(a).Scanner(a.Slice(1), k, "finditer")));
        t.AddMethod("scanner", (a, k) => Self(a).Scanner(a.Slice(1), k, "scanner"));
        t.AddMethod("split", (a, k) => Self(a).Split(a.Slice(1), k));
        t.AddMethod("sub", (a, k) => Self(a).Sub(a.Slice(1), k, "sub", false));
        t.AddMethod("subn", (a, k) => Self(a).Sub(a.Slice(1), k, "subn", true));
        t.AddMethod("__copy__", (a, k) => { Args.Exact(a.Slice(1), k, 0, "__copy__"); return Self(a); });
        t.AddMethod("__deepcopy__", (a, k) => { Args.Exact(a.Slice(1), k, 1, "__deepcopy__"); return Self(a); });
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        return t;
    }

    private static SrePattern Self(ReadOnlySpan<PyObject> a) =>
        a.Length > 0 && a[0] is SrePattern p ? p : throw Ops.TypeError("descriptor requires a 're.Pattern' object");

    private static SreMatch MatchSelf(ReadOnlySpan<PyObject> a) =>
        a.Length > 0 && a[0] is SreMatch m ? m : throw Ops.TypeError("descriptor requires a 're.Match' object");

    private static readonly string[] Default = { "default" };
    private static readonly string[] Template = { "template" };

    private static PyType MakeMatchType()
    {
        var t = new PyType("Match", PyType.ObjectType, null) { ModuleName = "re" };
        t.AddMethod("group", (a, k) =>
        {
            var m = MatchSelf(a);
            Args.NoKw(k, "group");
            if (a.Length <= 2) return m.Group(a.Length == 1 ? PyInt.Zero : a[1]);
            var r = new PyObject[a.Length - 1];
            for (int i = 1; i < a.Length; i++) r[i - 1] = m.Group(a[i]);
            return new PyTuple(r);
        });
        t.AddMethod("__getitem__", (a, k) => MatchSelf(a).Group(a[1]));
        t.AddMethod("groups", (a, k) =>
        {
            var m = MatchSelf(a);
            var v = Args.Parse(a.Slice(1), k, "groups", Default, 0);
            return m.Groups(v[0] ?? PyNone.Instance);
        });
        t.AddMethod("groupdict", (a, k) =>
        {
            var m = MatchSelf(a);
            var v = Args.Parse(a.Slice(1), k, "groupdict", Default, 0);
            return m.GroupDict(v[0] ?? PyNone.Instance);
        });
        t.AddMethod("start", (a, k) => PyInt.Get(MatchSelf(a).SpanOf(Args.GroupArg(a, k, "start")).Item1));
        t.AddMethod("end", (a, k) => PyInt.Get(MatchSelf(a).SpanOf(Args.GroupArg(a, k, "end")).Item2));
        t.AddMethod("span", (a, k) =>
        {
            var (s, e) = MatchSelf(a).SpanOf(Args.GroupArg(a, k, "span"));
            return new PyTuple(new PyObject[] { PyInt.Get(s), PyInt.Get(e) });
        });
        t.AddMethod("expand", (a, k) =>
        {
            var m = MatchSelf(a);
            var v = Args.Parse(a.Slice(1), k, "expand", Template, 1);
            var re = ImportRe();
            return Ops.Call(Ops.GetAttr(re, "_expand"), new PyObject[] { m.Pattern, m, v[0]! });
        });
        t.AddMethod("__copy__", (a, k) => { Args.Exact(a.Slice(1), k, 0, "__copy__"); return MatchSelf(a); });
        t.AddMethod("__deepcopy__", (a, k) => { Args.Exact(a.Slice(1), k, 1, "__deepcopy__"); return MatchSelf(a); });
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        return t;
    }

    private static PyType MakeScannerType()
    {
        var t = new PyType("SRE_Scanner", PyType.ObjectType, null) { ModuleName = "_sre" };
        t.AddMethod("match", (a, k) =>
        {
            Args.Exact(a.Slice(1), k, 0, "match");
            return a[0] is SreScanner s ? s.Next(false) : throw Ops.TypeError("descriptor requires a '_sre.SRE_Scanner' object");
        });
        t.AddMethod("search", (a, k) =>
        {
            Args.Exact(a.Slice(1), k, 0, "search");
            return a[0] is SreScanner s ? s.Next(true) : throw Ops.TypeError("descriptor requires a '_sre.SRE_Scanner' object");
        });
        return t;
    }

    private static PyType MakeIteratorType()
    {
        var t = new PyType("callable_iterator", PyType.ObjectType, null);
        // finditer's result is an iterator to next() and iter() as CPython's callable_iterator
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        t.AddMethod("__iter__", (a, k) => a[0]);
        return t;
    }

    /// <summary>The <c>re</c> module (Lib/re), for the template hooks <c>re._subx</c> and <c>re._expand</c>, as CPython's
    /// sre.c imports it.</summary>
    internal static PyObject ImportRe() =>
        ThreadState.Current.Interp.Imports.ImportName("re", new PyDict(), PyNone.Instance, 0);

    internal static bool IsCallable(PyObject o) => o.IsCallable || o.Type.Lookup(PyStr.S___call__) != null;
}

/// <summary>Argument parsing with CPython's (Argument Clinic's) messages.</summary>
internal static class Args
{
    public static PyObject?[] Parse(ReadOnlySpan<PyObject> a, PyStr[]? kw, string fname, string[] names, int required)
    {
        int nkw = kw?.Length ?? 0;
        int npos = a.Length - nkw;
        var v = new PyObject?[names.Length];
        if (npos > names.Length)
        {
            if (required == names.Length)
                throw Ops.TypeError(names.Length == 1
                    ? $"{fname}() takes exactly one argument ({npos} given)"
                    : $"{fname}() takes exactly {names.Length} positional arguments ({npos} given)");
            throw Ops.TypeError($"{fname}() takes at most {names.Length} argument{(names.Length == 1 ? "" : "s")} ({npos} given)");
        }
        for (int i = 0; i < npos; i++) v[i] = a[i];
        for (int j = 0; j < nkw; j++)
        {
            string key = kw![j].Value;
            int idx = Array.IndexOf(names, key);
            if (idx < 0) throw Ops.TypeError($"'{key}' is an invalid keyword argument for {fname}()");
            if (v[idx] != null) throw Ops.TypeError($"argument for {fname}() given by name ('{key}') and position ({idx + 1})");
            v[idx] = a[npos + j];
        }
        for (int i = 0; i < required; i++)
            if (v[i] == null) throw Ops.TypeError($"{fname}() missing required argument '{names[i]}' (pos {i + 1})");
        return v;
    }

    public static void Exact(ReadOnlySpan<PyObject> a, PyStr[]? kw, int n, string fname)
    {
        NoKw(kw, fname);
        if (a.Length != n)
        {
            if (n == 0) throw Ops.TypeError($"{fname}() takes no arguments ({a.Length} given)");
            throw Ops.TypeError($"{fname}() takes exactly one argument ({a.Length} given)");
        }
    }

    public static void NoKw(PyStr[]? kw, string fname)
    {
        if (kw != null && kw.Length > 0) throw Ops.TypeError($"{fname}() takes no keyword arguments");
    }

    /// <summary>The character (an int) argument of ascii_iscased and friends.</summary>
    public static int CharArg(ReadOnlySpan<PyObject> a, PyStr[]? kw, string fname)
    {
        Exact(a, kw, 1, fname);
        if (a[0] is not PyInt n) throw Ops.TypeError($"'{a[0].Type.Name}' object cannot be interpreted as an integer");
        if (n.IsBig || n.V < int.MinValue || n.V > int.MaxValue) throw Ops.OverflowError("Python int too large to convert to C int");
        return (int)n.V;
    }

    /// <summary>The optional group argument of start/end/span (group 0 by default).</summary>
    public static PyObject GroupArg(ReadOnlySpan<PyObject> a, PyStr[]? kw, string fname)
    {
        NoKw(kw, fname);
        if (a.Length > 2) throw Ops.TypeError($"{fname} expected at most 1 argument, got {a.Length - 1}");
        return a.Length == 2 ? a[1] : PyInt.Zero;
    }

    public static int Position(PyObject? o, int dflt)
    {
        if (o == null) return dflt;
        long v = Ops.IndexValueClamped(o);
        return v < 0 ? (v < int.MinValue ? int.MinValue : (int)v) : (v > int.MaxValue ? int.MaxValue : (int)v);
    }
}

/// <summary>A compiled regular expression (re.Pattern).</summary>
public sealed class SrePattern : PyObject
{
    private static readonly string[] StringPosEndpos = { "string", "pos", "endpos" };
    private static readonly string[] StringMaxsplit = { "string", "maxsplit" };
    private static readonly string[] ReplStringCount = { "repl", "string", "count" };

    public readonly PyObject PatternObj;
    public readonly int Flags;
    internal readonly uint[] Code;
    public readonly int GroupCount;
    internal readonly PyDict GroupIndex;
    internal readonly PyTuple IndexGroup;
    /// <summary>1 for bytes, 0 for str, -1 when the pattern object is None (either).</summary>
    internal readonly int IsBytes;

    internal SrePattern(PyObject pattern, int flags, uint[] code, int groups, PyDict groupindex, PyTuple indexgroup, int isBytes)
    {
        PatternObj = pattern; Flags = flags; Code = code; GroupCount = groups;
        GroupIndex = groupindex; IndexGroup = indexgroup; IsBytes = isBytes;
        _setTables = new ulong[]?[code.Length];
    }

    /// <summary>The engine's lookup tables of the pattern's sets (<see cref="SreState"/>), filled on first use.</summary>
    private readonly ulong[]?[] _setTables;

    public override PyType Type => SreModule.PatternType;

    public override string Repr()
    {
        var names = new List<string>();
        int flags = Flags;
        // re.UNICODE is the default for str patterns: not shown alone
        if ((flags & (SreModule.FLAG_LOCALE | SreModule.FLAG_UNICODE | SreModule.FLAG_ASCII)) == SreModule.FLAG_UNICODE)
            flags &= ~SreModule.FLAG_UNICODE;
        (string, int)[] table =
        {
            ("re.TEMPLATE", SreModule.FLAG_TEMPLATE), ("re.IGNORECASE", SreModule.FLAG_IGNORECASE),
            ("re.LOCALE", SreModule.FLAG_LOCALE), ("re.MULTILINE", SreModule.FLAG_MULTILINE),
            ("re.DOTALL", SreModule.FLAG_DOTALL), ("re.UNICODE", SreModule.FLAG_UNICODE),
            ("re.VERBOSE", SreModule.FLAG_VERBOSE), ("re.DEBUG", SreModule.FLAG_DEBUG), ("re.ASCII", SreModule.FLAG_ASCII),
        };
        foreach (var (name, value) in table)
            if ((flags & value) != 0) { names.Add(name); flags &= ~value; }
        if (flags != 0) names.Add("0x" + flags.ToString("x"));
        string pr = Ops.Repr(PatternObj);
        if (pr.Length > 200) pr = pr.Substring(0, 200);
        return names.Count == 0 ? $"re.compile({pr})" : $"re.compile({pr}, {string.Join("|", names)})";
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        if (other is not SrePattern p) return null;
        bool eq = ReferenceEquals(this, p) ||
                  (Flags == p.Flags && IsBytes == p.IsBytes && Code.AsSpan().SequenceEqual(p.Code) && Ops.Eq(PatternObj, p.PatternObj));
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }

    public override long Hash()
    {
        long h = Ops.Hash(PatternObj);
        long hc = 0;
        foreach (var w in Code) hc = hc * 1000003 + w;
        h ^= hc;
        return h == -1 ? -2 : h;
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "pattern": return PatternObj;
            case "flags": return PyInt.Get(Flags);
            case "groups": return PyInt.Get(GroupCount);
            case "groupindex":
                {
                    var d = new PyDict();
                    foreach (var kv in GroupIndex.Items()) d.SetItem(kv.Key, kv.Value);
                    return d;
                }
        }
        return base.GetAttrOrNull(name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value is "pattern" or "flags" or "groups" or "groupindex") throw Ops.AttributeError("readonly attribute");
        base.SetAttr(name, value);
    }

    /// <summary>The text the engine matches: a str as it is, a bytes-like object as Latin-1 (one char per byte).</summary>
    internal string Subject(PyObject o)
    {
        if (o is PyStr s)
        {
            if (IsBytes == 1) throw Ops.TypeError("cannot use a bytes pattern on a string-like object");
            return s.Value;
        }
        // bytes, bytearray and any other buffer (memoryview, array.array), as CPython's getstring
        if (o is PyMemoryView mv ? TakeBytes(mv.ToBytes(), out var bytes) : Buffers.TryRead(o, out bytes))
        {
            if (IsBytes == 0) throw Ops.TypeError("cannot use a string pattern on a bytes-like object");
            return Encoding.Latin1.GetString(bytes);
        }
        throw Ops.TypeError($"expected string or bytes-like object, got '{o.Type.Name}'");
    }

    private static bool TakeBytes(byte[] data, out ReadOnlySpan<byte> bytes) { bytes = data; return true; }

    internal SreState NewState(PyObject stringObj, int pos, int endpos) =>
        new(Code, _setTables, GroupCount, Subject(stringObj), stringObj, pos, endpos);

    internal PyObject MatchMethod(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, bool fullmatch, bool search)
    {
        var v = Args.Parse(a, k, fname, StringPosEndpos, 1);
        var st = NewState(v[0]!, Args.Position(v[1], 0), Args.Position(v[2], int.MaxValue));
        st.MatchAll = fullmatch;
        bool ok = search ? Run(st, true) : Run(st, false);
        return ok ? new SreMatch(this, st) : PyNone.Instance;
    }

    /// <summary>Run the engine (a search or an anchored match) and turn a broken code sequence into CPython's error.</summary>
    internal bool Run(SreState st, bool search)
    {
        try
        {
            if (search) return st.Search();
            st.Reset();
            st.Ptr = st.Start;
            return st.Match(0, true);
        }
        catch (SreInternalError e) { throw Ops.RuntimeError(e.Message); }
        catch (IndexOutOfRangeException) { throw Ops.RuntimeError("invalid SRE code"); }
    }

    internal PyObject Slice(SreState st, int i, int j)
    {
        if (st.StringObj is PyStr)
            return PyStr.Of(st.S.Substring(i, j - i));
        // a bytes-like subject gives bytes whatever its type (CPython's getslice); the whole of a bytes is itself
        if (st.StringObj is PyBytes whole && whole is not PyByteArray && whole.Type == PyBytes.TypeObj && i == 0 && j == whole.Span.Length)
            return whole;
        return new PyBytes(Encoding.Latin1.GetBytes(st.S, i, j - i));
    }

    private PyObject Empty(SreState st) => st.StringObj is PyStr ? PyStr.Empty : Slice(st, 0, 0);

    internal PyObject FindAll(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var v = Args.Parse(a, k, "findall", StringPosEndpos, 1);
        var st = NewState(v[0]!, Args.Position(v[1], 0), Args.Position(v[2], int.MaxValue));
        var list = new PyList();
        while (st.Start <= st.End)
        {
            if (!Run(st, true)) break;
            int b = st.Start, e = st.Ptr;
            switch (GroupCount)
            {
                case 0:
                    list.Append(Slice(st, b, e));
                    break;
                case 1:
                    {
                        var (gs, ge) = st.Span(1);
                        list.Append(gs < 0 ? Empty(st) : Slice(st, gs, ge));
                        break;
                    }
                default:
                    {
                        var t = new PyObject[GroupCount];
                        for (int g = 1; g <= GroupCount; g++)
                        {
                            var (gs, ge) = st.Span(g);
                            t[g - 1] = gs < 0 ? Empty(st) : Slice(st, gs, ge);
                        }
                        list.Append(new PyTuple(t));
                        break;
                    }
            }
            st.MustAdvance = e == b;
            st.Start = e;
        }
        return list;
    }

    internal SreScanner Scanner(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
    {
        var v = Args.Parse(a, k, fname, StringPosEndpos, 1);
        return new SreScanner(this, NewState(v[0]!, Args.Position(v[1], 0), Args.Position(v[2], int.MaxValue)));
    }

    internal PyObject Split(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var v = Args.Parse(a, k, "split", StringMaxsplit, 1);
        int maxsplit = Args.Position(v[1], 0);
        var st = NewState(v[0]!, 0, int.MaxValue);
        var list = new PyList();
        int n = 0, last = st.Start;
        while (maxsplit == 0 || n < maxsplit)
        {
            if (!Run(st, true)) break;
            int b = st.Start, e = st.Ptr;
            list.Append(Slice(st, last, b));
            for (int g = 1; g <= GroupCount; g++)
            {
                var (gs, ge) = st.Span(g);
                list.Append(gs < 0 ? PyNone.Instance : Slice(st, gs, ge));
            }
            n++;
            st.MustAdvance = e == b;
            last = st.Start = e;
        }
        list.Append(Slice(st, last, st.EndPos));
        return list;
    }

    internal PyObject Sub(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, bool withCount)
    {
        var v = Args.Parse(a, k, fname, ReplStringCount, 2);
        var repl = v[0]!;
        int count = Args.Position(v[2], 0);
        PyObject? filter = null;
        PyObject? literal = null;
        if (SreModule.IsCallable(repl)) filter = repl;
        else
        {
            bool hasBackslash = repl is PyStr rs ? rs.Value.Contains('\\') : repl is PyBytes rb ? rb.Span.IndexOf((byte)'\\') >= 0 : true;
            if (!hasBackslash) literal = repl;
            else
            {
                var r = Ops.Call(Ops.GetAttr(SreModule.ImportRe(), "_subx"), new PyObject[] { this, repl });
                if (SreModule.IsCallable(r)) filter = r;
                else literal = r;
            }
        }
        var st = NewState(v[1]!, 0, int.MaxValue);
        bool isStr = st.StringObj is PyStr;
        var sb = isStr ? new StringBuilder() : null;
        var bb = isStr ? null : new System.IO.MemoryStream();
        void AppendPiece(PyObject item, int index)
        {
            if (sb != null)
            {
                if (item is not PyStr ps) throw Ops.TypeError($"sequence item {index}: expected str instance, {item.Type.Name} found");
                sb.Append(ps.Value);
            }
            else
            {
                if (!(item is PyMemoryView mv ? TakeBytes(mv.ToBytes(), out var piece) : Buffers.TryRead(item, out piece))) throw Ops.TypeError($"sequence item {index}: expected a bytes-like object, {item.Type.Name} found");
                bb!.Write(piece);
            }
        }
        void AppendText(int i, int j)
        {
            if (sb != null) sb.Append(st.S, i, j - i);
            else bb!.Write(Encoding.Latin1.GetBytes(st.S, i, j - i)); // the subject's bytes, one char per byte
        }
        int n = 0, pieces = 0, last = 0;
        while (count == 0 || n < count)
        {
            if (!Run(st, true)) break;
            int b = st.Start, e = st.Ptr;
            if (last < b) { AppendText(last, b); pieces++; }
            if (filter != null)
            {
                var item = Ops.Call1(filter, new SreMatch(this, st));
                if (item is not PyNone) AppendPiece(item, pieces++);
            }
            else if (literal != null) AppendPiece(literal, pieces++);
            last = e;
            n++;
            st.MustAdvance = e == b;
            st.Start = e;
        }
        PyObject result;
        // nothing replaced: an exact str subject comes back as it is (CPython's pattern_subx), without a copy
        if (n == 0 && st.StringObj.GetType() == typeof(PyStr)) result = st.StringObj;
        else
        {
            if (last < st.S.Length) AppendText(last, st.S.Length);
            if (sb != null) result = PyStr.Of(sb.ToString());
            else result = new PyBytes(bb!.ToArray()); // bytes whatever the bytes-like subject, as CPython
        }
        return withCount ? new PyTuple(new PyObject[] { result, PyInt.Get(n) }) : result;
    }
}

/// <summary>The result of a successful match (re.Match): the spans of all groups, copied out of the state.</summary>
public sealed class SreMatch : PyObject
{
    public readonly SrePattern Pattern;
    private readonly PyObject _string;
    private readonly string _text;
    private readonly int[] _spans;
    private readonly int _pos, _endpos, _lastIndex;

    internal SreMatch(SrePattern pattern, SreState st)
    {
        Pattern = pattern;
        _string = st.StringObj;
        _text = st.S;
        _pos = st.Pos;
        _endpos = st.EndPos;
        _lastIndex = st.LastIndex;
        int g = pattern.GroupCount;
        _spans = new int[2 * (g + 1)];
        _spans[0] = st.Start;
        _spans[1] = st.Ptr;
        for (int i = 1; i <= g; i++)
        {
            var (s, e) = st.Span(i);
            _spans[2 * i] = s;
            _spans[2 * i + 1] = e;
        }
    }

    public override PyType Type => SreModule.MatchType;
    public override bool IsTrue() => true;

    public override string Repr()
    {
        string r = Ops.Repr(Group(PyInt.Zero));
        if (r.Length > 50) r = r.Substring(0, 50);
        return $"<re.Match object; span=({_spans[0]}, {_spans[1]}), match={r}>";
    }

    public override PyObject GetItem(PyObject key) => Group(key);

    /// <summary>The group number of <paramref name="index"/> (an int in range, or a group name), else IndexError.</summary>
    private int GroupIndexOf(PyObject index)
    {
        if (index is PyInt i)
        {
            if (i.IsBig || i.V < 0 || i.V > Pattern.GroupCount) throw Ops.IndexError("no such group");
            return (int)i.V;
        }
        if (index.Type.Lookup(PyStr.S___index__) != null && index is not PyStr)
        {
            long v = Ops.IndexValueClamped(index);
            if (v < 0 || v > Pattern.GroupCount) throw Ops.IndexError("no such group");
            return (int)v;
        }
        if (index.Hashable && Pattern.GroupIndex.GetOrNull(index) is PyInt gi && !gi.IsBig && gi.V >= 0 && gi.V <= Pattern.GroupCount)
            return (int)gi.V;
        throw Ops.IndexError("no such group");
    }

    private PyObject Slice(int s, int e)
    {
        if (_string is PyStr) return PyStr.Of(_text.Substring(s, e - s));
        if (_string is PyBytes whole && whole.Type == PyBytes.TypeObj && s == 0 && e == whole.Span.Length) return whole;
        return new PyBytes(Encoding.Latin1.GetBytes(_text, s, e - s)); // bytes for any bytes-like subject (getslice)
    }

    private PyObject GroupOr(int g, PyObject dflt)
    {
        int s = _spans[2 * g], e = _spans[2 * g + 1];
        return s < 0 || e < 0 ? dflt : Slice(s, e);
    }

    public PyObject Group(PyObject index) => GroupOr(GroupIndexOf(index), PyNone.Instance);

    public (int, int) SpanOf(PyObject index)
    {
        int g = GroupIndexOf(index);
        return (_spans[2 * g], _spans[2 * g + 1]);
    }

    public PyObject Groups(PyObject dflt)
    {
        var r = new PyObject[Pattern.GroupCount];
        for (int i = 1; i <= r.Length; i++) r[i - 1] = GroupOr(i, dflt);
        return new PyTuple(r);
    }

    public PyObject GroupDict(PyObject dflt)
    {
        var d = new PyDict();
        foreach (var kv in Pattern.GroupIndex.Items())
            d.SetItem(kv.Key, GroupOr(GroupIndexOf(kv.Key), dflt));
        return d;
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "string": return _string;
            case "re": return Pattern;
            case "pos": return PyInt.Get(_pos);
            case "endpos": return PyInt.Get(_endpos);
            case "lastindex": return _lastIndex >= 0 ? PyInt.Get(_lastIndex) : PyNone.Instance;
            case "lastgroup":
                {
                    var ig = Pattern.IndexGroup.Items;
                    if (_lastIndex >= 0 && _lastIndex < ig.Length) return ig[_lastIndex];
                    return PyNone.Instance;
                }
            case "regs":
                {
                    var r = new PyObject[Pattern.GroupCount + 1];
                    for (int i = 0; i < r.Length; i++)
                        r[i] = new PyTuple(new PyObject[] { PyInt.Get(_spans[2 * i]), PyInt.Get(_spans[2 * i + 1]) });
                    return new PyTuple(r);
                }
        }
        return base.GetAttrOrNull(name);
    }
}

/// <summary>_sre.SRE_Scanner: successive matches over one subject (finditer and re.Scanner use it).</summary>
public sealed class SreScanner : PyObject
{
    private readonly SrePattern _pattern;
    private readonly SreState _state;
    private bool _exhausted;

    internal SreScanner(SrePattern pattern, SreState state) { _pattern = pattern; _state = state; }

    public override PyType Type => SreModule.ScannerType;

    public override PyObject? GetAttrOrNull(PyStr name) => name.Value == "pattern" ? _pattern : base.GetAttrOrNull(name);

    public PyObject Next(bool search)
    {
        if (_exhausted) return PyNone.Instance;
        var st = _state;
        if (st.Start > st.End) { _exhausted = true; return PyNone.Instance; }
        if (!_pattern.Run(st, search))
        {
            _exhausted = true;
            return PyNone.Instance;
        }
        var m = new SreMatch(_pattern, st);
        st.MustAdvance = st.Ptr == st.Start;
        st.Start = st.Ptr;
        return m;
    }
}

/// <summary>The iterator finditer returns: calls the scanner's search until it gives None (CPython's
/// callable_iterator over <c>scanner.search</c>).</summary>
internal sealed class SreIterator : PyObject
{
    private SreScanner? _scanner;
    public SreIterator(SreScanner scanner) { _scanner = scanner; }
    public override PyType Type => SreModule.IteratorType;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_scanner == null) return null;
        var r = _scanner.Next(true);
        if (r is PyNone) { _scanner = null; return null; }
        return r;
    }
}
