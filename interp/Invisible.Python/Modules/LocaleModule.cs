using System;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_locale</c> (Modules/_localemodule.c) over the C library: <c>setlocale</c>, <c>localeconv</c>,
/// <c>nl_langinfo</c> and its constants, <c>strcoll</c>, <c>strxfrm</c>, <c>getencoding</c>, the gettext functions.
/// Inside another program (<c>invisible attach</c>) the locale is the program's: queries work, changing it is refused
/// with <c>locale.Error</c>.
/// </summary>
public static partial class LocaleModule
{
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint setlocale(int category, string? locale);
    [LibraryImport("libc.so.6")]
    private static partial nint localeconv();
    [LibraryImport("libc.so.6")]
    private static partial nint nl_langinfo(int item);

    private const int CharMax = 127;

    private static readonly (string Name, int Value)[] LangInfo = Build();

    private static (string, int)[] Build()
    {
        var l = new System.Collections.Generic.List<(string, int)>
        {
            ("CODESET", 14), ("D_T_FMT", 0x20028), ("D_FMT", 0x20029), ("T_FMT", 0x2002A), ("T_FMT_AMPM", 0x2002B),
            ("AM_STR", 0x20026), ("PM_STR", 0x20027), ("ERA", 0x2002C), ("ERA_D_FMT", 0x2002E), ("ALT_DIGITS", 0x2002F),
            ("ERA_D_T_FMT", 0x20030), ("ERA_T_FMT", 0x20031), ("RADIXCHAR", 0x10000), ("THOUSEP", 0x10001),
            ("YESEXPR", 0x50000), ("NOEXPR", 0x50001), ("CRNCYSTR", 0x4000F), ("_DATE_FMT", 0x2006C),
        };
        for (int i = 0; i < 7; i++) { l.Add(("ABDAY_" + (i + 1), 0x20000 + i)); l.Add(("DAY_" + (i + 1), 0x20007 + i)); }
        for (int i = 0; i < 12; i++) { l.Add(("ABMON_" + (i + 1), 0x2000E + i)); l.Add(("MON_" + (i + 1), 0x2001A + i)); }
        return l.ToArray();
    }

    private static readonly ArgParser SetLocaleArgs = new("setlocale", "category, locale=None, /");
    private static readonly ArgParser LangInfoArgs = new("nl_langinfo", "key, /");
    private static readonly ArgParser StrcollArgs = new("strcoll", "os1, os2, /");
    private static readonly ArgParser StrxfrmArgs = new("strxfrm", "string, /");

    private static PyType? s_error;
    private static readonly object Gate = new();

    /// <summary><c>locale.Error</c>.</summary>
    public static PyType ErrorType
    {
        get
        {
            if (s_error is { } t) return t;
            lock (Gate) return s_error ??= new PyType("Error", PyBaseException.ExceptionType, null) { ModuleName = "locale" };
        }
    }

    private static string? Str(nint p) => p == 0 ? null : Marshal.PtrToStringUTF8(p);

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_locale");
        m.Add("Error", ErrorType);
        m.Add("CHAR_MAX", PyInt.Get(CharMax));
        m.Add("LC_CTYPE", PyInt.Get(0)); m.Add("LC_NUMERIC", PyInt.Get(1)); m.Add("LC_TIME", PyInt.Get(2));
        m.Add("LC_COLLATE", PyInt.Get(3)); m.Add("LC_MONETARY", PyInt.Get(4)); m.Add("LC_MESSAGES", PyInt.Get(5));
        m.Add("LC_ALL", PyInt.Get(6));
        foreach (var (name, value) in LangInfo) m.Add(name, PyInt.Get(value));
        m.AddFn("setlocale", (a, k) =>
        {
            var args = SetLocaleArgs.Parse(a, k);
            long category = Ops.IndexValue(args[0]!);
            PyObject? loc = args[1];
            string? locale = loc == null || loc == PyNone.Instance ? null
                : loc is PyStr s ? s.Value : throw Ops.TypeError($"setlocale() argument 2 must be str or None, not {loc.Type.Name}");
            if (category < 0 || category > 12)
                throw new PyException(PyBaseException.Create(ErrorType, PyStr.Of(locale == null ? "locale query failed" : "unsupported locale setting")));
            if (locale != null && interp.Sys.Options.InsideTarget)
            {
                string? current = Str(setlocale((int)category, null));
                if (current != locale)
                    throw new PyException(PyBaseException.Create(ErrorType, PyStr.Of("the locale belongs to the program this attach session runs in: it cannot be changed here")));
            }
            string? r = Str(setlocale((int)category, locale));
            if (r == null)
                throw new PyException(PyBaseException.Create(ErrorType, PyStr.Of(locale == null ? "locale query failed" : "unsupported locale setting")));
            return PyStr.Of(r);
        });
        m.AddFn("localeconv", (a, k) => { ArgParser.NoArgs("localeconv", a, k); return LocaleConv(); });
        m.AddFn("nl_langinfo", (a, k) =>
        {
            long key = Ops.IndexValue(LangInfoArgs.Parse(a, k)[0]!);
            foreach (var (_, value) in LangInfo)
                if (value == key) return PyStr.Of(Str(nl_langinfo((int)key)) ?? "");
            throw Ops.ValueError("unsupported langinfo constant");
        });
        m.AddFn("strcoll", (a, k) =>
        {
            var args = StrcollArgs.Parse(a, k);
            string x = args.Str(0), y = args.Str(1);
            return PyInt.Get(Math.Sign(string.CompareOrdinal(x, y)));
        });
        m.AddFn("strxfrm", (a, k) => PyStr.Of(StrxfrmArgs.Parse(a, k).Str(0)));
        m.AddFn("getencoding", (a, k) =>
        {
            ArgParser.NoArgs("getencoding", a, k);
            string cs = Str(nl_langinfo(14)) ?? "";
            return PyStr.Of(cs.Length == 0 || cs == "ANSI_X3.4-1968" ? "utf-8" : cs); // CPython's UTF-8 mode default
        });
        m.AddFn("gettext", (a, k) => a.Length > 0 ? a[0] : throw Ops.TypeError("gettext() takes exactly 1 argument (0 given)"));
        m.AddFn("dgettext", (a, k) => a.Length > 1 ? a[1] : throw Ops.TypeError("dgettext expected 2 arguments"));
        m.AddFn("dcgettext", (a, k) => a.Length > 1 ? a[1] : throw Ops.TypeError("dcgettext expected 3 arguments"));
        m.AddFn("textdomain", (a, k) => a.Length > 0 && a[0] is PyStr s ? s : PyStr.Of("messages"));
        m.AddFn("bindtextdomain", (a, k) => a.Length > 1 && a[1] is PyStr s ? s : PyStr.Of("/usr/share/locale"));
        m.AddFn("bind_textdomain_codeset", (a, k) => a.Length > 1 ? a[1] : PyNone.Instance);
        return m;
    }

    /// <summary>The C library's <c>struct lconv</c> as CPython's dict (ten strings, then the char fields).</summary>
    private static unsafe PyObject LocaleConv()
    {
        byte* lc = (byte*)localeconv();
        var d = new PyDict();
        string S(int i) => Str(((nint*)lc)[i]) ?? "";
        PyObject Grouping(int i)
        {
            var l = new PyList();
            byte* g = (byte*)((nint*)lc)[i];
            if (g == null) return l;
            for (; *g != 0; g++)
            {
                l.Append(PyInt.Get(*g));
                if (*g == CharMax) break;
            }
            if (l.Count > 0 && *g == 0) l.Append(PyInt.Zero);
            return l;
        }
        d.SetItem("int_curr_symbol", PyStr.Of(S(3)));
        d.SetItem("currency_symbol", PyStr.Of(S(4)));
        d.SetItem("mon_decimal_point", PyStr.Of(S(5)));
        d.SetItem("mon_thousands_sep", PyStr.Of(S(6)));
        d.SetItem("mon_grouping", Grouping(7));
        d.SetItem("positive_sign", PyStr.Of(S(8)));
        d.SetItem("negative_sign", PyStr.Of(S(9)));
        string[] chars = { "int_frac_digits", "frac_digits", "p_cs_precedes", "p_sep_by_space", "n_cs_precedes", "n_sep_by_space", "p_sign_posn", "n_sign_posn" };
        for (int i = 0; i < chars.Length; i++) d.SetItem(chars[i], PyInt.Get(lc[80 + i]));
        d.SetItem("decimal_point", PyStr.Of(S(0)));
        d.SetItem("thousands_sep", PyStr.Of(S(1)));
        d.SetItem("grouping", Grouping(2));
        return d;
    }
}
