using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Unicodedata;

/// <summary>
/// CPython's <c>unicodedata</c> (Modules/unicodedata.c): the Unicode character database of CPython 3.11 (Unicode
/// 14.0.0, <see cref="UnicodeDatabase"/>), its functions and the <c>UCD</c> type. <c>ucd_3_2_0</c> (used by
/// <c>stringprep</c> and the <c>idna</c> codec) is a <c>UCD</c> over the same 14.0.0 data that reports version
/// 3.2.0: the characters those modules look at did not change since. Name aliases and named sequences are not
/// served by <c>lookup</c> (CPython's module does not expose them to generate from).
/// </summary>
public static class UnicodedataModule
{
    private static readonly object TypeGate = new();
    private static PyType? s_ucdType;

    private sealed class Ucd : PyObject
    {
        public readonly string Version;
        public Ucd(string version) { Version = version; }
        public override PyType Type => s_ucdType!;
    }

    public static PyModule Create()
    {
        var ucdType = UcdType();
        var m = new PyModule("unicodedata");
        m.Add("__doc__", PyStr.Of("This module provides access to the Unicode Character Database which\ndefines character properties for all Unicode characters."));
        var db = UnicodeDatabase.Instance;
        m.Add("unidata_version", PyStr.Of(db.Version));
        m.Add("UCD", ucdType);
        m.Add("ucd_3_2_0", new Ucd("3.2.0"));
        foreach (var (name, fn) in Functions)
            m.AddFn(name, (a, k) => fn(a, k));
        return m;
    }

    private static PyType UcdType()
    {
        lock (TypeGate)
        {
            if (s_ucdType != null) return s_ucdType;
            var t = new PyType("UCD", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create 'unicodedata.UCD' instances")) { ModuleName = "unicodedata" };
            foreach (var (name, fn) in Functions)
                t.AddMethod(name, (a, k) => fn(a.Slice(1), k));
            t.SetMember("unidata_version", new PyProperty(new PyBuiltinFunction("unidata_version", (a, k) => PyStr.Of(((Ucd)a[0]).Version)), null, null, null));
            return s_ucdType = t;
        }
    }

    private static readonly (string Name, NativeFn Fn)[] Functions =
    {
        ("lookup", Lookup),
        ("name", Name),
        ("category", (a, k) => PyStr.Of(UnicodeDatabase.Instance.Category(Chr("category", a, k, 1)))),
        ("bidirectional", (a, k) => PyStr.Of(UnicodeDatabase.Instance.Bidirectional(Chr("bidirectional", a, k, 1)))),
        ("combining", (a, k) => PyInt.Get(UnicodeDatabase.Instance.Combining(Chr("combining", a, k, 1)))),
        ("east_asian_width", (a, k) => PyStr.Of(UnicodeDatabase.Instance.EastAsianWidth(Chr("east_asian_width", a, k, 1)))),
        ("mirrored", (a, k) => PyInt.Get(UnicodeDatabase.Instance.Mirrored(Chr("mirrored", a, k, 1)))),
        ("decomposition", (a, k) => PyStr.Of(UnicodeDatabase.Instance.Decomposition(Chr("decomposition", a, k, 1)))),
        ("decimal", (a, k) => NumericValue("decimal", a, k, "not a decimal", v => v.Decimal >= 0 ? PyInt.Get(v.Decimal) : null)),
        ("digit", (a, k) => NumericValue("digit", a, k, "not a digit", v => v.Digit >= 0 ? PyInt.Get(v.Digit) : null)),
        ("numeric", (a, k) => NumericValue("numeric", a, k, "not a numeric character", v => new PyFloat(v.Numeric))),
        ("normalize", (a, k) => Normalize("normalize", a, k, check: false)),
        ("is_normalized", (a, k) => Normalize("is_normalized", a, k, check: true)),
    };

    /// <summary>The code point of the one-character str argument (Argument Clinic's <c>int(accept={str})</c>).</summary>
    private static int Chr(string fn, ReadOnlySpan<PyObject> a, PyStr[]? k, int max)
    {
        if (k is { Length: > 0 }) throw Ops.TypeError($"{fn}() takes no keyword arguments");
        if (a.Length < 1 || a.Length > max)
            throw Ops.TypeError(max == 1 ? $"unicodedata.{fn}() takes exactly one argument ({a.Length} given)"
                : $"{fn} expected at {(a.Length < 1 ? "least 1 argument" : $"most {max} arguments")}, got {a.Length}");
        if (a[0] is PyStr s)
        {
            string v = s.Value;
            if (v.Length == 1) return v[0];
            if (v.Length == 2 && char.IsSurrogatePair(v[0], v[1])) return char.ConvertToUtf32(v[0], v[1]);
        }
        throw Ops.TypeError($"{fn}() argument must be a unicode character, not {a[0].Type.Name}");
    }

    private static PyObject NumericValue(string fn, ReadOnlySpan<PyObject> a, PyStr[]? k, string error,
        Func<(sbyte Decimal, sbyte Digit, double Numeric), PyObject?> pick)
    {
        int cp = Chr(fn, a, k, 2);
        if (UnicodeDatabase.Instance.TryNumeric(cp, out var v) && pick(v) is { } r) return r;
        if (a.Length > 1) return a[1];
        throw Ops.ValueError(error);
    }

    private static PyObject Name(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        int cp = Chr("name", a, k, 2);
        if (UnicodeDatabase.Instance.Name(cp) is { } n) return PyStr.Of(n);
        if (a.Length > 1) return a[1];
        throw Ops.ValueError("no such name");
    }

    private static PyObject Lookup(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k is { Length: > 0 }) throw Ops.TypeError("lookup() takes no keyword arguments");
        if (a.Length != 1) throw Ops.TypeError($"unicodedata.lookup() takes exactly one argument ({a.Length} given)");
        string name = a[0] switch
        {
            PyStr s => s.Value,
            PyBytes b => System.Text.Encoding.Latin1.GetString(b.Span),
            _ => throw Ops.TypeError($"lookup() argument must be str or bytes, not {a[0].Type.Name}"),
        };
        if (name.Length > 256) throw Ops.KeyError("name too long");
        int cp = UnicodeDatabase.Instance.Lookup(name);
        if (cp < 0) throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of($"undefined character name '{name}'")));
        return PyStr.Of(PyStr.CodePointText(cp));
    }

    private static PyObject Normalize(string fn, ReadOnlySpan<PyObject> a, PyStr[]? k, bool check)
    {
        if (k is { Length: > 0 }) throw Ops.TypeError($"{fn}() takes no keyword arguments");
        if (a.Length != 2) throw Ops.TypeError($"{fn} expected 2 arguments, got {a.Length}");
        if (a[0] is not PyStr form) throw Ops.TypeError($"{fn}() argument 1 must be str, not {a[0].Type.Name}");
        if (a[1] is not PyStr input) throw Ops.TypeError($"{fn}() argument 2 must be str, not {a[1].Type.Name}");
        bool compose, compat;
        switch (form.Value)
        {
            case "NFC": compose = true; compat = false; break;
            case "NFD": compose = false; compat = false; break;
            case "NFKC": compose = true; compat = true; break;
            case "NFKD": compose = false; compat = true; break;
            default: throw Ops.ValueError("invalid normalization form");
        }
        string result = UnicodeDatabase.Instance.Normalize(input.Value, compose, compat);
        if (check) return PyBool.Of(result == input.Value);
        return result == input.Value ? input : PyStr.Of(result);
    }
}
