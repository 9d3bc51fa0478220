using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>The rest of bytes/bytearray's methods (CPython's Objects/bytes_methods.c): ASCII-only character classes
/// and case mappings, and the methods whose bytes behaviour is the str method's over Latin-1 (each byte one char),
/// run through the str implementation.</summary>
public static partial class TypeMethods
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private static bool IsAsciiSpace(byte b) => b == ' ' || (b >= 9 && b <= 13);
    private static bool IsAsciiUpper(byte b) => b >= 'A' && b <= 'Z';
    private static bool IsAsciiLower(byte b) => b >= 'a' && b <= 'z';
    private static bool IsAsciiAlpha(byte b) => IsAsciiUpper(b) || IsAsciiLower(b);
    private static bool IsAsciiDigit(byte b) => b >= '0' && b <= '9';

    /// <summary>A bytes-like argument as bytes (bytes, bytearray), CPython's "a bytes-like object is required" otherwise.</summary>
    private static ReadOnlySpan<byte> BytesArg(PyObject o) => o is PyBytes b ? b.Span : throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");

    /// <summary>find/index/count(sub[, start[, end]]): sub is required (CPython's "find() takes at least 1 argument").</summary>
    private static void BytesSubArgCheck(string method, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0) throw Ops.TypeError($"{method}() takes no keyword arguments");
        if (a.Length < 2) throw Ops.TypeError($"{method}() takes at least 1 argument ({a.Length - 1} given)");
    }

    private static readonly ArgParser BytesReplaceArgs = new("replace", "old, new, count=-1, /");

    /// <summary>bytes.replace(old, new, count=-1, /): an empty old inserts new before every byte and at the end
    /// (count of them at most), as CPython's.</summary>
    private static byte[] BytesReplace(ReadOnlySpan<PyObject> a, PyStr[]? k)   // a[0] is self
    {
        var args = BytesReplaceArgs.Parse(a.Slice(1), k);
        var s = BytesArg(a[0]);
        var from = Modules.Buffers.Read(args[0]!);
        var to = Modules.Buffers.Read(args[1]!);
        long count = args[2] is { } c ? ArgParser.ToSsize(c) : -1;
        if (count < 0) count = long.MaxValue;
        var r = new System.Collections.Generic.List<byte>(s.Length);
        int i = 0;
        long done = 0;
        if (from.Length == 0)
        {
            while (done < count && i <= s.Length)
            {
                Append(r, to);
                done++;
                if (i < s.Length) r.Add(s[i]);
                i++;
            }
            for (; i < s.Length; i++) r.Add(s[i]);
            return r.ToArray();
        }
        while (done < count)
        {
            int j = s.Slice(i).IndexOf(from);
            if (j < 0) break;
            Append(r, s.Slice(i, j));
            Append(r, to);
            i += j + from.Length;
            done++;
        }
        Append(r, s.Slice(i));
        return r.ToArray();
    }

    private static void Append(System.Collections.Generic.List<byte> r, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) r.Add(b);
    }

    private static void InitBytesMore()
    {
        foreach (var t in new[] { PyBytes.TypeObj, PyByteArray.TypeObj })
        {
            bool isBA = t == PyByteArray.TypeObj;
            PyObject Mk(byte[] d) => isBA ? new PyByteArray(d) : new PyBytes(d);
            string name = isBA ? "bytearray" : "bytes";

            // str methods over Latin-1: bytes arguments become str, str results become bytes
            foreach (var m in new[] { "partition", "rpartition", "center", "ljust", "rjust", "zfill", "expandtabs", "rfind", "rindex",
                                      "removeprefix", "removesuffix", "rsplit", "lstrip", "rstrip" })
            {
                if (t.TypeDict.GetOrNull(PyStr.Intern(m)) != null) continue;
                var strFn = (PyStr.TypeObj.TypeDict.GetOrNull(PyStr.Intern(m)) as PyBuiltinFunction)?.Fn;
                if (strFn == null) continue;
                string method = m;
                t.AddMethod(m, (a, k) =>
                {
                    // the str method indexes its arguments: too few must be CPython's TypeError first
                    int given = Ops.PosCount(a, k) - 1;
                    string? tooFew = method switch
                    {
                        "partition" or "rpartition" or "zfill" or "removeprefix" or "removesuffix" =>
                            given != 1 ? $"{name}.{method}() takes exactly one argument ({given} given)" : null,
                        "center" or "ljust" or "rjust" => given < 1 ? $"{method} expected at least 1 argument, got {given}" : null,
                        "rfind" or "rindex" => given < 1 ? $"{method}() takes at least 1 argument ({given} given)" : null,
                        _ => null,
                    };
                    if (tooFew != null) throw Ops.TypeError(tooFew);
                    var conv = new PyObject[a.Length];
                    conv[0] = new PyStr(Latin1.GetString(BytesArg(a[0])));
                    for (int i = 1; i < a.Length; i++)
                    {
                        if (a[i] is PyBytes ab) conv[i] = new PyStr(Latin1.GetString(ab.Span));
                        else if (a[i] is PyStr && i == 2 && method is "center" or "ljust" or "rjust")
                            throw Ops.TypeError($"{method}() argument 2 must be a byte string of length 1, not str");
                        else if (a[i] is PyStr) throw Ops.TypeError($"a bytes-like object is required, not 'str'");
                        else conv[i] = a[i];
                    }
                    // default whitespace of the strip family is ASCII's, not Unicode's
                    if ((method == "lstrip" || method == "rstrip") && (conv.Length == 1 || conv[1] == PyNone.Instance))
                        conv = new PyObject[] { conv[0], new PyStr(" \t\n\r\x0b\x0c") };
                    return FromStr(strFn(conv, k), Mk);
                });
            }

            t.AddMethod("splitlines", (a, k) =>
            {
                var s = BytesArg(a[0]);
                bool keep = Ops.Arg(a, k, 1, "keepends") is PyObject ke && Ops.IsTrue(ke);
                var l = new PyList();
                int start = 0, i = 0;
                while (i < s.Length)
                {
                    if (s[i] == '\n' || s[i] == '\r')
                    {
                        int eol = i;
                        i += s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
                        l.Append(Mk(s.Slice(start, (keep ? i : eol) - start).ToArray()));
                        start = i;
                    }
                    else i++;
                }
                if (start < s.Length) l.Append(Mk(s.Slice(start).ToArray()));
                return l;
            });
            t.AddMethod("title", (a, k) =>
            {
                var r = BytesArg(a[0]).ToArray();
                bool prev = false;
                for (int i = 0; i < r.Length; i++)
                {
                    byte b = r[i];
                    if (IsAsciiAlpha(b)) { r[i] = prev ? (byte)(b | 0x20) : (byte)(b & ~0x20); prev = true; }
                    else prev = false;
                }
                return Mk(r);
            });
            t.AddMethod("capitalize", (a, k) =>
            {
                var r = BytesArg(a[0]).ToArray();
                for (int i = 0; i < r.Length; i++)
                    if (i == 0 ? IsAsciiLower(r[i]) : IsAsciiUpper(r[i])) r[i] ^= 0x20;
                return Mk(r);
            });
            t.AddMethod("swapcase", (a, k) =>
            {
                var r = BytesArg(a[0]).ToArray();
                for (int i = 0; i < r.Length; i++) if (IsAsciiAlpha(r[i])) r[i] ^= 0x20;
                return Mk(r);
            });
            t.AddMethod("istitle", (a, k) =>
            {
                var s = BytesArg(a[0]);
                bool prev = false, any = false;
                foreach (var b in s)
                {
                    if (IsAsciiUpper(b)) { if (prev) return PyBool.False; prev = true; any = true; }
                    else if (IsAsciiLower(b)) { if (!prev) return PyBool.False; prev = true; any = true; }
                    else prev = false;
                }
                return PyBool.Of(any);
            });
            t.AddMethod("isupper", (a, k) => { bool any = false; foreach (var b in BytesArg(a[0])) { if (IsAsciiLower(b)) return PyBool.False; any |= IsAsciiUpper(b); } return PyBool.Of(any); });
            t.AddMethod("islower", (a, k) => { bool any = false; foreach (var b in BytesArg(a[0])) { if (IsAsciiUpper(b)) return PyBool.False; any |= IsAsciiLower(b); } return PyBool.Of(any); });
            t.AddMethod("isspace", (a, k) => { var s = BytesArg(a[0]); if (s.Length == 0) return PyBool.False; foreach (var b in s) if (!IsAsciiSpace(b)) return PyBool.False; return PyBool.True; });
            t.AddMethod("isalnum", (a, k) => { var s = BytesArg(a[0]); if (s.Length == 0) return PyBool.False; foreach (var b in s) if (!IsAsciiAlpha(b) && !IsAsciiDigit(b)) return PyBool.False; return PyBool.True; });
            t.AddMethod("isascii", (a, k) => { foreach (var b in BytesArg(a[0])) if (b >= 0x80) return PyBool.False; return PyBool.True; });
            t.AddMethod("translate", (a, k) =>
            {
                var s = BytesArg(a[0]);
                var table = Ops.Arg(a, k, 1, "table") ?? throw Ops.TypeError($"translate() takes at least 1 argument (0 given)");
                var delete = Ops.Arg(a, k, 2, "delete");
                ReadOnlySpan<byte> tab = default;
                if (table != PyNone.Instance)
                {
                    tab = BytesArg(table);
                    if (tab.Length != 256) throw Ops.ValueError("translation table must be 256 characters long");
                }
                var del = new bool[256];
                if (delete != null) foreach (var b in BytesArg(delete)) del[b] = true;
                var r = new List<byte>(s.Length);
                foreach (var b in s) if (!del[b]) r.Add(table == PyNone.Instance ? b : tab[b]);
                return Mk(r.ToArray());
            });
            var maketrans = new PyBuiltinFunction("maketrans", (a, k) =>
            {
                int o = a.Length == 3 ? 1 : 0; // called on the class (bound) or through the type
                if (a.Length - o != 2) throw Ops.TypeError($"maketrans expected 2 arguments, got {a.Length - o}");
                var from = BytesArg(a[o]); var to = BytesArg(a[o + 1]);
                if (from.Length != to.Length) throw Ops.ValueError("maketrans arguments must have same length");
                var tab = new byte[256];
                for (int i = 0; i < 256; i++) tab[i] = (byte)i;
                for (int i = 0; i < from.Length; i++) tab[from[i]] = to[i];
                return new PyBytes(tab);
            });
            t.TypeDict.SetItem(PyStr.Intern("maketrans"), new PyStaticMethod(maketrans));
            t.AddMethod("hex", (a, k) =>
            {
                var s = BytesArg(a[0]);
                var sepObj = Ops.Arg(a, k, 1, "sep");
                long per = Ops.Arg(a, k, 2, "bytes_per_sep") is PyObject bp ? Ops.IndexValue(bp) : 1;
                return PyStr.Of(Latin1.GetString(Modules.Hex.Encode(s, sepObj, per, latin1Sep: false)));
            });
            _ = name;
        }
    }

    private static PyObject FromStr(PyObject r, Func<byte[], PyObject> mk)
    {
        switch (r)
        {
            case PyStr s: return mk(Latin1.GetBytes(s.Value));
            case PyTuple tup:
                {
                    var items = new PyObject[tup.Items.Length];
                    for (int i = 0; i < items.Length; i++) items[i] = FromStr(tup.Items[i], mk);
                    return new PyTuple(items);
                }
            case PyList l:
                {
                    var nl = new PyList();
                    for (int i = 0; i < l.Count; i++) nl.Append(FromStr(l.Items[i], mk));
                    return nl;
                }
            default: return r;
        }
    }
}
