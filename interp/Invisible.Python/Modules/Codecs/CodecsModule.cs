using System;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules.Codecs;

/// <summary>
/// CPython's <c>_codecs</c> (Modules/_codecsmodule.c, Python/codecs.c): the codec registry (register, lookup,
/// encode, decode) that Lib's <c>encodings</c> package plugs into, the error-handler registry with the eight
/// built-in handlers, and the C-level codecs the <c>encodings.*</c> modules call (utf_8_encode, charmap_decode, ...).
/// </summary>
public static class CodecsModule
{
    /// <summary>The codec registry of an interpreter (made with its first use).</summary>
    public static CodecRegistry RegistryOf(InterpreterState interp)
    {
        lock (Registries) return Registries.GetValue(interp, i => new CodecRegistry { Interp = i });
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<InterpreterState, CodecRegistry> Registries = new();

    public static PyModule Create(InterpreterState interp)
    {
        var reg = RegistryOf(interp);
        var m = new PyModule("_codecs");
        m.AddFn("register", (a, k) =>
        {
            One(a, k, "register");
            if (!a[0].IsCallable && a[0].Type.Lookup(PyStr.S___call__) == null) throw Ops.TypeError("argument must be callable");
            reg.SearchFunctions.Add(a[0]);
            return PyNone.Instance;
        });
        m.AddFn("unregister", (a, k) =>
        {
            One(a, k, "unregister");
            var target = a[0];
            int i = reg.SearchFunctions.FindIndex(f => ReferenceEquals(f, target) || Ops.Eq(f, target));
            if (i >= 0) { reg.SearchFunctions.RemoveAt(i); reg.Cache.Clear(); }
            return PyNone.Instance;
        });
        m.AddFn("lookup", (a, k) =>
        {
            One(a, k, "lookup");
            return Lookup(reg, StrArg(a[0], "lookup", 1));
        });
        m.AddFn("_forget_codec", (a, k) =>
        {
            One(a, k, "_forget_codec");
            reg.Cache.Remove(Normalize(StrArg(a[0], "_forget_codec", 1)));
            return PyNone.Instance;
        });
        m.AddFn("encode", (a, k) => Transcode(reg, a, k, "encode", 0));
        m.AddFn("decode", (a, k) => Transcode(reg, a, k, "decode", 1));
        m.AddFn("lookup_error", (a, k) => { One(a, k, "lookup_error"); return reg.LookupError(StrArg(a[0], "lookup_error", 1)); });
        m.AddFn("register_error", (a, k) =>
        {
            Ops.NoKw(k, "register_error");
            if (a.Length != 2) throw Ops.TypeError($"register_error expected 2 arguments, got {a.Length}");
            var name = StrArg(a[0], "register_error", 1);
            if (!a[1].IsCallable && a[1].Type.Lookup(PyStr.S___call__) == null) throw Ops.TypeError("handler must be callable");
            reg.ErrorHandlers[name] = a[1];
            return PyNone.Instance;
        });

        // ---- the codecs ----
        m.AddFn("utf_8_encode", (a, k) => { var s = EncArgs(a, k, "utf_8_encode", out var e); return Pair(new PyBytes(Utf.EncodeUtf8(reg, s, e)), Cps(s)); });
        m.AddFn("utf_8_decode", (a, k) =>
        {
            var d = DecArgs(a, k, "utf_8_decode", out var e, out bool final, false);
            var s = Utf.DecodeUtf8(reg, d, e, final, out int used);
            return Pair(new PyStr(s), used);
        });
        foreach (var (nm, bo) in new (string, int)[] { ("utf_16", 0), ("utf_16_le", -1), ("utf_16_be", 1), ("utf_32", 0), ("utf_32_le", -1), ("utf_32_be", 1) })
        {
            string name = nm; int order = bo; bool is32 = name.StartsWith("utf_32", StringComparison.Ordinal);
            m.AddFn(name + "_encode", (a, k) =>
            {
                var s = EncArgs(a, k, name + "_encode", out var e);
                int o = order;
                if (order == 0 && Ops.Arg(a, k, 2, "byteorder") is PyObject bob) o = (int)Ops.IndexValue(bob);
                var r = is32 ? Utf.EncodeUtf32(reg, s, e, o) : Utf.EncodeUtf16(reg, s, e, o);
                return Pair(new PyBytes(r), Cps(s));
            });
            m.AddFn(name + "_decode", (a, k) =>
            {
                var d = DecArgs(a, k, name + "_decode", out var e, out bool final, false);
                int o = order;
                var s = is32 ? Utf.DecodeUtf32(reg, d, e, ref o, final, out int used) : Utf.DecodeUtf16(reg, d, e, ref o, final, out used);
                return Pair(new PyStr(s), used);
            });
        }
        foreach (var nm in new[] { "utf_16", "utf_32" })
        {
            string name = nm; bool is32 = name == "utf_32";
            m.AddFn(name + "_ex_decode", (a, k) =>
            {
                var dataObj = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError($"{name}_ex_decode() missing required argument 'data' (pos 1)");
                var d = DataArg(dataObj);
                var e = ErrorsArg(Ops.Arg(a, k, 1, "errors"), name + "_ex_decode");
                int o = Ops.Arg(a, k, 2, "byteorder") is PyObject bob ? (int)Ops.IndexValue(bob) : 0;
                bool final = Ops.Arg(a, k, 3, "final") is PyObject f && Ops.IsTrue(f);
                var s = is32 ? Utf.DecodeUtf32(reg, d, e, ref o, final, out int used) : Utf.DecodeUtf16(reg, d, e, ref o, final, out used);
                return new PyTuple(new PyObject[] { new PyStr(s), PyInt.Get(used), PyInt.Get(o) });
            });
        }
        m.AddFn("latin_1_encode", (a, k) => { var s = EncArgs(a, k, "latin_1_encode", out var e); return Pair(new PyBytes(SimpleCodecs.EncodeLimited(reg, s, e, 256)), Cps(s)); });
        m.AddFn("ascii_encode", (a, k) => { var s = EncArgs(a, k, "ascii_encode", out var e); return Pair(new PyBytes(SimpleCodecs.EncodeLimited(reg, s, e, 128)), Cps(s)); });
        m.AddFn("latin_1_decode", (a, k) => { var d = DecArgs(a, k, "latin_1_decode", out _, out _, true, noFinal: true); return Pair(new PyStr(SimpleCodecs.DecodeLatin1(d)), d.Length); });
        m.AddFn("ascii_decode", (a, k) => { var d = DecArgs(a, k, "ascii_decode", out var e, out _, true, noFinal: true); return Pair(new PyStr(SimpleCodecs.DecodeAscii(reg, d, e)), d.Length); });
        m.AddFn("charmap_encode", (a, k) =>
        {
            var s = EncArgs(a, k, "charmap_encode", out var e);
            return Pair(new PyBytes(SimpleCodecs.CharmapEncode(reg, s, e, Ops.Arg(a, k, 2, "mapping"))), Cps(s));
        });
        m.AddFn("charmap_decode", (a, k) =>
        {
            var dataObj = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("charmap_decode() missing required argument 'data' (pos 1)");
            var d = DataArg(dataObj);
            var e = ErrorsArg(Ops.Arg(a, k, 1, "errors"), "charmap_decode");
            return Pair(new PyStr(SimpleCodecs.CharmapDecode(reg, d, e, Ops.Arg(a, k, 2, "mapping"))), d.Length);
        });
        m.AddFn("charmap_build", (a, k) => { One(a, k, "charmap_build"); return SimpleCodecs.CharmapBuild(StrArg(a[0], "charmap_build", 1)); });
        m.AddFn("unicode_escape_encode", (a, k) => { var s = EncArgs(a, k, "unicode_escape_encode", out _); return Pair(new PyBytes(SimpleCodecs.UnicodeEscapeEncode(s, false)), Cps(s)); });
        m.AddFn("raw_unicode_escape_encode", (a, k) => { var s = EncArgs(a, k, "raw_unicode_escape_encode", out _); return Pair(new PyBytes(SimpleCodecs.UnicodeEscapeEncode(s, true)), Cps(s)); });
        m.AddFn("unicode_escape_decode", (a, k) =>
        {
            var d = DecArgs(a, k, "unicode_escape_decode", out var e, out bool final, true, strOk: true);
            return Pair(new PyStr(SimpleCodecs.UnicodeEscapeDecode(reg, d, e, final, out int used)), used);
        });
        m.AddFn("raw_unicode_escape_decode", (a, k) =>
        {
            var d = DecArgs(a, k, "raw_unicode_escape_decode", out var e, out bool final, true, strOk: true);
            return Pair(new PyStr(SimpleCodecs.RawUnicodeEscapeDecode(reg, d, e, final, out int used)), used);
        });
        m.AddFn("escape_encode", (a, k) =>
        {
            var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("escape_encode() missing required argument 'data' (pos 1)");
            if (data is not PyBytes b || data is PyByteArray) throw Ops.TypeError($"escape_encode() argument 1 must be bytes, not {data.Type.Name}");
            return Pair(new PyBytes(SimpleCodecs.EscapeEncode(b.Span)), b.Span.Length);
        });
        m.AddFn("escape_decode", (a, k) =>
        {
            var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("escape_decode() missing required argument 'data' (pos 1)");
            var e = ErrorsArg(Ops.Arg(a, k, 1, "errors"), "escape_decode");
            var d = data is PyStr ds ? Encoding.UTF8.GetBytes(ds.Value) : Buffers.ToArray(data);
            return Pair(new PyBytes(SimpleCodecs.EscapeDecode(d, e)), d.Length);
        });
        m.AddFn("readbuffer_encode", (a, k) =>
        {
            var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError("readbuffer_encode() missing required argument 'data' (pos 1)");
            var d = data is PyStr ds ? Encoding.UTF8.GetBytes(ds.Value) : Buffers.ToArray(data);
            return Pair(new PyBytes(d), d.Length);
        });
        return m;
    }

    // ---------------- str.encode / bytes.decode ----------------

    /// <summary>str.encode: the built-in codecs directly (CPython's fast path), any other through the registry.</summary>
    public static byte[] EncodeText(string s, string encoding, string errors)
    {
        var reg = RegistryOf(ThreadState.Current.Interp);
        switch (Normalize(encoding))
        {
            case "utf_8": case "utf8": return Utf.EncodeUtf8(reg, s, errors);
            case "latin_1": case "latin1": case "iso_8859_1": case "iso8859_1": case "l1": return SimpleCodecs.EncodeLimited(reg, s, errors, 256);
            case "ascii": case "us_ascii": return SimpleCodecs.EncodeLimited(reg, s, errors, 128);
            case "utf_16": case "utf16": return Utf.EncodeUtf16(reg, s, errors, 0);
            case "utf_16_le": case "utf_16le": return Utf.EncodeUtf16(reg, s, errors, -1);
            case "utf_16_be": case "utf_16be": return Utf.EncodeUtf16(reg, s, errors, 1);
            case "utf_32": case "utf32": return Utf.EncodeUtf32(reg, s, errors, 0);
            case "utf_32_le": case "utf_32le": return Utf.EncodeUtf32(reg, s, errors, -1);
            case "utf_32_be": case "utf_32be": return Utf.EncodeUtf32(reg, s, errors, 1);
        }
        var info = (PyTuple)Lookup(reg, encoding);
        CheckText(info, encoding, "codecs.encode()", "encode");
        var r = Ops.Call(info.Items[0], new PyObject[] { new PyStr(s), new PyStr(errors) });
        if (r is not PyTuple t || t.Items.Length != 2) throw Ops.TypeError("encoder must return a tuple (object, integer)");
        if (t.Items[0] is PyBytes b) return b.Span.ToArray();
        throw Ops.TypeError($"'{encoding}' encoder returned '{t.Items[0].Type.Name}' instead of 'bytes'; use codecs.encode() to encode to arbitrary types");
    }

    /// <summary>bytes.decode and str(bytes, encoding): as <see cref="EncodeText"/>.</summary>
    public static string DecodeText(ReadOnlySpan<byte> data, string encoding, string errors)
    {
        var reg = RegistryOf(ThreadState.Current.Interp);
        int order;
        switch (Normalize(encoding))
        {
            case "utf_8": case "utf8": return Utf.DecodeUtf8(reg, data.ToArray(), errors, true, out _);
            case "latin_1": case "latin1": case "iso_8859_1": case "iso8859_1": case "l1": return SimpleCodecs.DecodeLatin1(data);
            case "ascii": case "us_ascii": return SimpleCodecs.DecodeAscii(reg, data.ToArray(), errors);
            case "utf_16": case "utf16": order = 0; return Utf.DecodeUtf16(reg, data.ToArray(), errors, ref order, true, out _);
            case "utf_16_le": case "utf_16le": order = -1; return Utf.DecodeUtf16(reg, data.ToArray(), errors, ref order, true, out _);
            case "utf_16_be": case "utf_16be": order = 1; return Utf.DecodeUtf16(reg, data.ToArray(), errors, ref order, true, out _);
            case "utf_32": case "utf32": order = 0; return Utf.DecodeUtf32(reg, data.ToArray(), errors, ref order, true, out _);
            case "utf_32_le": case "utf_32le": order = -1; return Utf.DecodeUtf32(reg, data.ToArray(), errors, ref order, true, out _);
            case "utf_32_be": case "utf_32be": order = 1; return Utf.DecodeUtf32(reg, data.ToArray(), errors, ref order, true, out _);
        }
        var info = (PyTuple)Lookup(reg, encoding);
        CheckText(info, encoding, "codecs.decode()", "decode");
        var r = Ops.Call(info.Items[1], new PyObject[] { new PyBytes(data.ToArray()), new PyStr(errors) });
        if (r is not PyTuple t || t.Items.Length != 2) throw Ops.TypeError("decoder must return a tuple (object,integer)");
        if (t.Items[0] is PyStr ps) return ps.Value;
        throw Ops.TypeError($"'{encoding}' decoder returned '{t.Items[0].Type.Name}' instead of 'str'; use codecs.decode() to decode to arbitrary types");
    }

    private static void CheckText(PyTuple info, string encoding, string alternative, string verb)
    {
        if (Ops.GetAttrOrNull(info, PyStr.Intern("_is_text_encoding")) is PyObject flag && !Ops.IsTrue(flag))
            throw Ops.Exc(PyBaseException.LookupErrorType, $"'{encoding}' is not a text encoding; use {alternative} to handle arbitrary codecs");
        _ = verb;
    }

    // ---------------- registry ----------------

    /// <summary>CPython's _Py_normalize_encoding: ASCII letters lower-cased, digits and '.' kept, every other run
    /// of characters one '_' (none at the start or the end).</summary>
    internal static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool punct = false;
        foreach (char c in name)
        {
            if (c < 128 && (char.IsAsciiLetterOrDigit(c) || c == '.'))
            {
                if (punct && sb.Length > 0) sb.Append('_');
                punct = false;
                sb.Append(char.ToLowerInvariant(c));
            }
            else punct = true;
        }
        return sb.ToString();
    }

    internal static PyObject Lookup(CodecRegistry reg, string encoding)
    {
        string key = Normalize(encoding);
        if (reg.Cache.TryGetValue(key, out var hit)) return hit;
        if (reg.SearchFunctions.Count == 0)
        {
            // CPython imports the encodings package the first time a codec is looked up; it registers its search.
            try { reg.Interp?.Imports.ImportName("encodings", new PyDict(), PyNone.Instance, 0); }
            catch (PyException) { }
        }
        var keyStr = new PyStr(key);
        foreach (var f in reg.SearchFunctions.ToArray())
        {
            var r = Ops.Call1(f, keyStr);
            if (r == PyNone.Instance) continue;
            if (r is not PyTuple t || t.Items.Length != 4) throw Ops.TypeError("codec search functions must return 4-tuples");
            reg.Cache[key] = r;
            return r;
        }
        if (BuiltinCodec(reg, key) is PyTuple builtin)
        {
            reg.Cache[key] = builtin;
            return builtin;
        }
        throw Ops.Exc(PyBaseException.LookupErrorType, $"unknown encoding: {encoding}");
    }

    /// <summary>When Lib's encodings package is not importable, the codecs written here still resolve, as a plain
    /// (encode, decode, None, None) tuple instead of a codecs.CodecInfo.</summary>
    private static PyTuple? BuiltinCodec(CodecRegistry reg, string key)
    {
        Func<string, string, byte[]>? enc = key switch
        {
            "utf_8" or "utf8" => (s, e) => Utf.EncodeUtf8(reg, s, e),
            "latin_1" or "latin1" or "iso_8859_1" or "iso8859_1" or "l1" => (s, e) => SimpleCodecs.EncodeLimited(reg, s, e, 256),
            "ascii" or "us_ascii" => (s, e) => SimpleCodecs.EncodeLimited(reg, s, e, 128),
            _ => null,
        };
        if (enc == null) return null;
        var encode = new PyBuiltinFunction("encode", (a, k) =>
        {
            var s = a.Length > 0 && a[0] is PyStr ps ? ps.Value : throw Ops.TypeError("encode() argument 1 must be str");
            string e = a.Length > 1 && a[1] is PyStr pe ? pe.Value : "strict";
            return Pair(new PyBytes(enc(s, e)), Cps(s));
        });
        var decode = new PyBuiltinFunction("decode", (a, k) =>
        {
            if (a.Length == 0) throw Ops.TypeError("decode() missing required argument 'data' (pos 1)");
            var d = DataArg(a[0]);
            string e = a.Length > 1 && a[1] is PyStr pe ? pe.Value : "strict";
            return Pair(new PyStr(DecodeText(d, key, e)), d.Length);
        });
        return new PyTuple(new PyObject[] { encode, decode, PyNone.Instance, PyNone.Instance });
    }

    private static PyObject Transcode(CodecRegistry reg, ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, int which)
    {
        var obj = Ops.Arg(a, k, 0, "obj") ?? throw Ops.TypeError($"{fname}() missing required argument 'obj' (pos 1)");
        var encObj = Ops.Arg(a, k, 1, "encoding");
        var errObj = Ops.Arg(a, k, 2, "errors");
        string encoding = encObj == null ? "utf-8" : StrArg(encObj, fname, 2);
        string errors = errObj == null ? "strict" : StrArg(errObj, fname, 3);
        var info = (PyTuple)Lookup(reg, encoding);
        var r = Ops.Call(info.Items[which], new PyObject[] { obj, new PyStr(errors) });
        if (r is not PyTuple t || t.Items.Length != 2)
            throw Ops.TypeError(which == 0 ? "encoder must return a tuple (object, integer)" : "decoder must return a tuple (object,integer)");
        return t.Items[0];
    }

    // ---------------- arguments ----------------

    private static void One(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
    {
        Ops.NoKw(k, fname);
        if (a.Length != 1) throw Ops.TypeError($"{fname}() takes exactly one argument ({a.Length} given)");
    }

    private static string StrArg(PyObject o, string fname, int pos) =>
        o is PyStr s ? s.Value : throw Ops.TypeError($"{fname}() argument {pos} must be str, not {o.Type.Name}");

    private static string ErrorsArg(PyObject? o, string fname) => o == null || o == PyNone.Instance ? "strict"
        : o is PyStr s ? s.Value : throw Ops.TypeError($"{fname}() argument 2 must be str or None, not {o.Type.Name}");

    private static string EncArgs(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, out string errors)
    {
        var s = Ops.Arg(a, k, 0, "str") ?? throw Ops.TypeError($"{fname}() missing required argument 'str' (pos 1)");
        if (s is not PyStr ps) throw Ops.TypeError($"{fname}() argument 1 must be str, not {s.Type.Name}");
        errors = ErrorsArg(Ops.Arg(a, k, 1, "errors"), fname);
        return ps.Value;
    }

    private static byte[] DataArg(PyObject o) =>
        o is PyStr ? throw Ops.TypeError("a bytes-like object is required, not 'str'") : Buffers.ToArray(o);

    private static byte[] DecArgs(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, out string errors, out bool final, bool finalDefault, bool noFinal = false, bool strOk = false)
    {
        var data = Ops.Arg(a, k, 0, "data") ?? throw Ops.TypeError($"{fname}() missing required argument 'data' (pos 1)");
        errors = ErrorsArg(Ops.Arg(a, k, 1, "errors"), fname);
        var f = noFinal ? null : Ops.Arg(a, k, 2, "final");
        final = f == null ? finalDefault : Ops.IsTrue(f);
        if (strOk && data is PyStr ds) return Encoding.UTF8.GetBytes(ds.Value);
        return DataArg(data);
    }

    private static int Cps(string s)
    {
        int n = s.Length;
        for (int i = 0; i + 1 < s.Length; i++) if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }

    private static PyTuple Pair(PyObject x, int n) => new(new PyObject[] { x, PyInt.Get(n) });
}
