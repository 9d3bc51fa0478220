using System;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary><c>complex(real, imag)</c> and complex's own methods (<c>__complex__</c>, <c>__getnewargs__</c>,
/// <c>__format__</c>): CPython's complex_new_impl, complex_from_string_inner and format_complex_internal
/// (Objects/complexobject.c, Python/formatter_unicode.c). The parts are combined as CPython does, so signed zeros,
/// infinities and NaNs keep their place: complex(-0.0, 1) is (-0+1j), complex(inf, nan) is (inf+nanj).</summary>
public static partial class TypeMethods
{
    public static PyObject NewComplex(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        int n = Ops.PosCount(a, k);
        if (n > 2) throw Ops.TypeError($"complex() takes at most 2 arguments ({n} given)");
        PyObject? r = n > 0 ? a[0] : null, i = n > 1 ? a[1] : null;
        if (k != null)
            for (int j = 0; j < k.Length; j++)
            {
                var v = a[n + j];
                switch (k[j].Value)
                {
                    case "real": if (r != null) throw Ops.TypeError("argument for complex() given by name ('real') and position (1)"); r = v; break;
                    case "imag": if (i != null) throw Ops.TypeError("argument for complex() given by name ('imag') and position (2)"); i = v; break;
                    default: throw Ops.TypeError($"complex() got an unexpected keyword argument '{k[j].Value}'");
                }
            }
        r ??= PyInt.Zero;
        Complex z;
        if (r is PyStr rs)
        {
            if (i != null) throw Ops.TypeError("complex() can't take second arg if first is a string");
            z = ParseComplex(rs.Value);
            return Make(cls, z.Real, z.Imaginary);
        }
        if (i is PyStr) throw Ops.TypeError("complex() second arg can't be a string");
        // complex(c) of an exact complex is c itself (complex_new_impl's shortcut)
        if (i == null && cls == PyComplex.TypeObj && r.GetType() == typeof(PyComplex)) return r;
        double crReal, crImag = 0, ciReal, ciImag = 0;
        bool crIsComplex = false, ciIsComplex = false;
        if (ComplexDunder(r) is Complex fromDunder) { crReal = fromDunder.Real; crImag = fromDunder.Imaginary; crIsComplex = true; }
        else if (r is PyComplex rc) { crReal = rc.V.Real; crImag = rc.V.Imaginary; crIsComplex = true; }
        else crReal = RealPart(r, "first argument must be a string or a number");
        if (i == null) ciReal = crImag;
        else if (i is PyComplex ic) { ciReal = ic.V.Real; ciImag = ic.V.Imaginary; ciIsComplex = true; }
        else ciReal = RealPart(i, "second argument must be a number");
        // the parts were not real numbers: (a+bj) + (c+dj)*1j
        if (ciIsComplex) crReal -= ciImag;
        if (crIsComplex && i != null) ciReal += crImag;
        return Make(cls, crReal, ciReal);
    }

    private static PyObject Make(PyType cls, double re, double im) =>
        cls == PyComplex.TypeObj ? new PyComplex(new Complex(re, im)) : new PyComplexSub(cls, new Complex(re, im));

    /// <summary>x.__complex__() when x's type has one (try_complex_special_method); null when it has none.</summary>
    private static Complex? ComplexDunder(PyObject x)
    {
        if (x.GetType() == typeof(PyComplex)) return null;
        if (x.Type.Lookup(PyStr.Intern("__complex__")) is not PyObject fn) return null;
        var r = Ops.CallPrepend(fn, x, Array.Empty<PyObject>(), null);
        if (r is not PyComplex c) throw Ops.TypeError($"__complex__ returned non-complex (type {r.Type.Name})");
        if (r.GetType() != typeof(PyComplex))
            Warn($"__complex__ returned non-complex (type {r.Type.Name}).  The ability to return an instance of a strict subclass of complex is deprecated, and may be removed in a future version of Python.");
        return c.V;
    }

    /// <summary>A real argument of complex(): __float__, then __index__ (PyFloat_AsDouble), else CPython's TypeError.</summary>
    private static double RealPart(PyObject x, string what)
    {
        if (x is PyFloat f && !f.Type.IsHeap) return f.V;
        if (x is PyInt iv && !iv.Type.IsHeap) return iv.ToDouble();
        if (x.Type.Lookup(PyStr.S___float__) == null && x.Type.Lookup(PyStr.S___index__) == null)
            throw Ops.TypeError($"complex() {what}, not '{x.Type.Name}'");
        return ToDoubleParse(x);
    }

    /// <summary>complex(str): CPython's complex_from_string_inner over the text with its underscores between digits
    /// taken out and Unicode digits and spaces made ASCII.</summary>
    public static Complex ParseComplex(string text)
    {
        string s = text;
        foreach (char c in s)
            if (c >= 0x80) { s = TransformDecimalAndSpace(s); break; }
        if (s.IndexOf('_') >= 0) s = WithoutDigitUnderscores(s) ?? throw Ops.ValueError($"could not convert string to complex: {Ops.Repr(PyStr.Of(text))}");
        int p = 0, len = s.Length;
        while (p < len && IsSpace(s[p])) p++;
        bool bracket = false;
        if (p < len && s[p] == '(')
        {
            bracket = true; p++;
            while (p < len && IsSpace(s[p])) p++;
        }
        double x = 0, y = 0;
        int end = ScanFloat(s, p, out double z);
        if (end != p)
        {
            p = end;
            if (p < len && (s[p] == '+' || s[p] == '-'))
            {
                x = z;
                end = ScanFloat(s, p, out y);
                if (end != p) p = end;
                else { y = s[p] == '+' ? 1.0 : -1.0; p++; }
                if (!(p < len && (s[p] == 'j' || s[p] == 'J'))) throw Malformed();
                p++;
            }
            else if (p < len && (s[p] == 'j' || s[p] == 'J')) { p++; y = z; }
            else x = z;
        }
        else
        {
            if (p < len && (s[p] == '+' || s[p] == '-')) { y = s[p] == '+' ? 1.0 : -1.0; p++; }
            else y = 1.0;
            if (!(p < len && (s[p] == 'j' || s[p] == 'J'))) throw Malformed();
            p++;
        }
        while (p < len && IsSpace(s[p])) p++;
        if (bracket)
        {
            if (!(p < len && s[p] == ')')) throw Malformed();
            p++;
            while (p < len && IsSpace(s[p])) p++;
        }
        if (p != len) throw Malformed();
        return new Complex(x, y);
    }

    private static PyException Malformed() => Ops.ValueError("complex() arg is a malformed string");

    private static bool IsSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    /// <summary>_Py_string_to_number_with_underscores: an underscore only between two digits; null if one is not.</summary>
    private static string? WithoutDigitUnderscores(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '_') { sb.Append(s[i]); continue; }
            if (i == 0 || i + 1 >= s.Length || !char.IsAsciiDigit(s[i - 1]) || !char.IsAsciiDigit(s[i + 1])) return null;
        }
        return sb.ToString();
    }

    /// <summary>The longest float literal at <paramref name="p"/> (_PyOS_ascii_strtod: optional sign, digits with an
    /// optional fraction and exponent, or inf/infinity/nan); its end, or <paramref name="p"/> if there is none.
    /// Too large a value is an infinity (PyOS_string_to_double without an overflow exception).</summary>
    private static int ScanFloat(string s, int p, out double v)
    {
        v = 0;
        int i = p, len = s.Length;
        bool negative = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) { negative = s[i] == '-'; i++; }
        if (MatchWord(s, i, "infinity") || MatchWord(s, i, "inf"))
        {
            v = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return i + (MatchWord(s, i, "infinity") ? 8 : 3);
        }
        if (MatchWord(s, i, "nan"))
        {
            v = negative ? -PositiveNaN : PositiveNaN;
            return i + 3;
        }
        int digitsStart = i;
        while (i < len && char.IsAsciiDigit(s[i])) i++;
        int intDigits = i - digitsStart, fracDigits = 0;
        if (i < len && s[i] == '.')
        {
            int f = i + 1;
            while (f < len && char.IsAsciiDigit(s[f])) f++;
            fracDigits = f - i - 1;
            if (intDigits > 0 || fracDigits > 0) i = f;
        }
        if (intDigits == 0 && fracDigits == 0) return p;
        if (i < len && (s[i] == 'e' || s[i] == 'E'))
        {
            int e = i + 1;
            if (e < len && (s[e] == '+' || s[e] == '-')) e++;
            int expDigits = e;
            while (e < len && char.IsAsciiDigit(s[e])) e++;
            if (e > expDigits) i = e;
        }
        v = double.Parse(s.AsSpan(p, i - p), NumberStyles.Float, CultureInfo.InvariantCulture);
        return i;
    }

    private static bool MatchWord(string s, int i, string word) =>
        i + word.Length <= s.Length && string.Compare(s, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0;

    // ---------------- methods ----------------

    internal static void InitComplexMethods(PyType ct)
    {
        ct.AddMethod("__complex__", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "__complex__");
            return a[0].GetType() == typeof(PyComplex) ? a[0] : new PyComplex(((PyComplex)a[0]).V);
        });
        ct.AddMethod("__getnewargs__", (a, k) =>
        {
            var v = ((PyComplex)a[0]).V;
            return new PyTuple(new PyObject[] { new PyFloat(v.Real), new PyFloat(v.Imaginary) });
        });
        ct.AddMethod("__format__", (a, k) =>
        {
            Ops.ArgCount(a, 2, 2, "__format__");
            if (a[1] is not PyStr spec) throw Ops.TypeError($"__format__() argument must be str, not {a[1].Type.Name}");
            return PyStr.Of(FormatComplex(((PyComplex)a[0]).V, spec.Value));
        });
    }

    /// <summary>The thousands separator in the integer digits of a repr-style part ('r' has no grouping of its own).</summary>
    private static string GroupDigits(string s, string grouping)
    {
        if (grouping.Length == 0) return s;
        int n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n])) n++;
        if (n <= 3) return s;
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && (n - i) % 3 == 0) sb.Append(grouping);
            sb.Append(s[i]);
        }
        return sb.Append(s, n, s.Length - n).ToString();
    }

    /// <summary>format(z, spec): CPython's format_complex_internal. Each part is formatted as a float without padding
    /// (the imaginary part always signed unless the real part is left out), then the whole is padded.</summary>
    public static string FormatComplex(Complex z, string spec)
    {
        if (spec.Length == 0) return new PyComplex(z).Repr();
        var sp = Formatting.ParseSpec(spec, new PyComplex(z));
        char fill = sp.Fill, align = sp.Align, sign = sp.Sign, type = sp.Type;
        bool alternate = sp.Alt;
        int width = sp.Width, precision = sp.Precision;
        string grouping = sp.Grouping == '\0' ? "" : sp.Grouping.ToString();
        if (type != '\0' && "eEfFgGn".IndexOf(type) < 0)
            throw Ops.ValueError($"Unknown format code '{type}' for object of type 'complex'");
        if (fill == '0') throw Ops.ValueError("Zero padding is not allowed in complex format specifier");
        if (align == '=') throw Ops.ValueError("'=' alignment flag is not allowed in complex format specifier");
        double re = z.Real, im = z.Imaginary;
        bool skipRe = false, parens = false;
        if (type == '\0')
        {
            if (re == 0.0 && !double.IsNegative(re)) skipRe = true;
            else parens = true;
        }
        string floatType = type == 'n' ? "g" : type == '\0' ? (precision < 0 ? "r" : "g") : type.ToString();
        string Part(double d, out bool negative)
        {
            negative = double.IsNegative(d) && !double.IsNaN(d);
            string body;
            if (floatType == "r") body = GroupDigits(Formatting.FloatReprNoDot(Math.Abs(d)), grouping);
            else
            {
                var fs = (sp.Z ? "z" : "") + (alternate ? "#" : "") + grouping + (precision >= 0 ? "." + precision.ToString(CultureInfo.InvariantCulture) : "") + floatType;
                body = Formatting.FormatFloat(Math.Abs(d), Formatting.ParseSpec(fs));
            }
            if (double.IsNaN(d)) body = body.TrimStart('-');
            return body;
        }
        var sb = new StringBuilder();
        if (parens) sb.Append('(');
        if (!skipRe)
        {
            string rb = Part(re, out bool rneg);
            if (rneg) sb.Append('-');
            else if (sign is '+' or ' ') sb.Append(sign);
            sb.Append(rb);
        }
        string ib = Part(im, out bool ineg);
        if (ineg) sb.Append('-');
        else if (!skipRe) sb.Append('+');
        else if (sign is '+' or ' ') sb.Append(sign);
        sb.Append(ib).Append('j');
        if (parens) sb.Append(')');
        string body = sb.ToString();
        if (width <= body.Length) return body;
        int padLen = width - body.Length;
        return (align == '\0' ? '>' : align) switch
        {
            '<' => body + new string(fill, padLen),
            '^' => new string(fill, padLen / 2) + body + new string(fill, padLen - padLen / 2),
            _ => new string(fill, padLen) + body,
        };
    }
}
