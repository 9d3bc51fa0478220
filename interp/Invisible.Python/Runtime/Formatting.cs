using System;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>repr of floats/strings, format-spec mini-language, % formatting and str.format.</summary>
public static class Formatting
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void ShortestDigits(double a, out string digits, out int decpt)
    {
        string s = a.ToString("R", Inv);
        int epos = s.IndexOfAny(new[] { 'E', 'e' });
        int exp = 0;
        string mant = s;
        if (epos >= 0) { exp = int.Parse(s.AsSpan(epos + 1), NumberStyles.AllowLeadingSign, Inv); mant = s.Substring(0, epos); }
        int dot = mant.IndexOf('.');
        string ip = dot < 0 ? mant : mant.Substring(0, dot);
        string fp = dot < 0 ? "" : mant.Substring(dot + 1);
        string all = ip + fp;
        decpt = ip.Length + exp;
        int lz = 0;
        while (lz < all.Length - 1 && all[lz] == '0') lz++;
        all = all.Substring(lz); decpt -= lz;
        all = all.TrimEnd('0');
        if (all.Length == 0) { all = "0"; decpt = 1; }
        digits = all;
    }

    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        string sign = d < 0 ? "-" : "";
        ShortestDigits(Math.Abs(d), out var digits, out int decpt);
        return sign + FormatDigits(digits, decpt, true);
    }

    /// <summary>repr used inside complex numbers: no trailing ".0".</summary>
    public static string FloatReprNoDot(double d)
    {
        var r = FloatRepr(d);
        return r.EndsWith(".0", StringComparison.Ordinal) ? r.Substring(0, r.Length - 2) : r;
    }

    private static string FormatDigits(string digits, int decpt, bool addDotZero)
    {
        if (decpt > 16 || decpt < -3)
        {
            int e = decpt - 1;
            var m = digits.Length > 1 ? digits[0] + "." + digits.Substring(1) : digits;
            return m + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", Inv);
        }
        if (decpt <= 0) return "0." + new string('0', -decpt) + digits;
        if (decpt >= digits.Length) return digits + new string('0', decpt - digits.Length) + (addDotZero ? ".0" : "");
        return digits.Substring(0, decpt) + "." + digits.Substring(decpt);
    }

    public static string StrRepr(string s)
    {
        char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2);
        sb.Append(q);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == q || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2"));
            else if (c >= 0x80 && c < 0xa0) sb.Append("\\x").Append(((int)c).ToString("x2"));
            else if (c >= 0xa0 && c <= 0xff && !IsPrintable(c)) sb.Append("\\x").Append(((int)c).ToString("x2")); // U+00A0, U+00AD
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) sb.Append(c).Append(s[++i]);
            else if (char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4")); // a lone surrogate, as CPython shows it
            else if (c > 0xff && !IsPrintable(c)) sb.Append("\\u").Append(((int)c).ToString("x4"));
            else sb.Append(c);
        }
        sb.Append(q);
        return sb.ToString();
    }

    private static bool IsPrintable(char c)
    {
        var cat = char.GetUnicodeCategory(c);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.SpaceSeparator => c == ' ',
            _ => true,
        };
    }

    /// <summary>bytes' repr; <paramref name="bytearray"/>: CPython's bytearray_repr, which escapes every single quote
    /// even inside double quotes.</summary>
    public static string BytesRepr(ReadOnlySpan<byte> b, bool bytearray = false)
    {
        bool hasSq = b.IndexOf((byte)'\'') >= 0, hasDq = b.IndexOf((byte)'"') >= 0;
        char q = hasSq && !hasDq ? '"' : '\'';
        var sb = new StringBuilder(b.Length + 2);
        sb.Append(q);
        foreach (byte c in b)
        {
            if (c == q || c == '\\' || (bytearray && c == '\'')) sb.Append('\\').Append((char)c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c < 0x20 || c >= 0x7f) sb.Append("\\x").Append(c.ToString("x2"));
            else sb.Append((char)c);
        }
        sb.Append(q);
        return sb.ToString();
    }

    // ---------------- format spec ----------------
    public struct Spec
    {
        public char Fill, Align, Sign, Type, Grouping;
        public bool Alt, Zero, Z;
        /// <summary>The '=' alignment comes from the '0' flag (numbers' default; a str keeps its own '&lt;').</summary>
        public bool AlignFromZero;
        public int Width, Precision;
    }

    /// <summary>CPython's parse_internal_render_format_spec: [[fill]align][sign][z][#][0][width][,|_][.precision][type],
    /// with its errors (<paramref name="owner"/> names the type in "Invalid format specifier").</summary>
    public static Spec ParseSpec(string s, PyObject? owner = null)
    {
        var sp = new Spec { Fill = ' ', Align = '\0', Sign = '\0', Type = '\0', Width = -1, Precision = -1 };
        int i = 0;
        bool fillGiven = false;
        if (s.Length >= 2 && (s[1] == '<' || s[1] == '>' || s[1] == '^' || s[1] == '=')) { sp.Fill = s[0]; sp.Align = s[1]; i = 2; fillGiven = true; }
        else if (s.Length >= 1 && (s[0] == '<' || s[0] == '>' || s[0] == '^' || s[0] == '=')) { sp.Align = s[0]; i = 1; }
        if (i < s.Length && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) sp.Sign = s[i++];
        if (i < s.Length && s[i] == 'z') { sp.Z = true; i++; }
        if (i < s.Length && s[i] == '#') { sp.Alt = true; i++; }
        if (!fillGiven && i < s.Length && s[i] == '0') { sp.Zero = true; i++; }
        sp.Width = SpecInteger(s, ref i);
        if (i < s.Length && s[i] == ',') { sp.Grouping = ','; i++; }
        if (i < s.Length && s[i] == '_')
        {
            if (sp.Grouping != '\0') throw Ops.ValueError("Cannot specify both ',' and '_'.");
            sp.Grouping = '_'; i++;
        }
        if (i < s.Length && s[i] == ',' && sp.Grouping == '_') throw Ops.ValueError("Cannot specify both ',' and '_'.");
        if (i < s.Length && s[i] == '.')
        {
            i++;
            sp.Precision = SpecInteger(s, ref i);
            if (sp.Precision < 0) throw Ops.ValueError("Format specifier missing precision");
        }
        if (s.Length - i > 1)
            throw Ops.ValueError(owner == null ? "Invalid format specifier" : $"Invalid format specifier '{s}' for object of type '{owner.Type.Name}'");
        if (i < s.Length) sp.Type = s[i++];
        if (sp.Grouping != '\0' && "defgEG%F".IndexOf(sp.Type) < 0 && sp.Type != '\0'
            && !(sp.Grouping == '_' && sp.Type is 'b' or 'o' or 'x' or 'X'))
        {
            throw Ops.ValueError(sp.Type > ' ' && sp.Type < 0x7f
                ? $"Cannot specify '{sp.Grouping}' with '{sp.Type}'."
                : $"Cannot specify '{sp.Grouping}' with '\\x{(int)sp.Type:x}'.");
        }
        if (sp.Zero && sp.Align == '\0') { sp.Fill = '0'; sp.Align = '='; sp.AlignFromZero = true; }
        else if (sp.Zero) sp.Fill = '0';
        return sp;
    }

    /// <summary>get_integer: the decimal digits at <paramref name="i"/> (Unicode digits too); -1 if there are none.</summary>
    private static int SpecInteger(string s, ref int i)
    {
        int st = i;
        long v = 0;
        while (i < s.Length && char.IsDigit(s[i]))
        {
            v = v * 10 + (long)char.GetNumericValue(s[i]);
            if (v > int.MaxValue) throw Ops.ValueError("Too many decimal digits in format string");
            i++;
        }
        return i > st ? (int)v : -1;
    }

    public static string Format(PyObject v, string spec)
    {
        if (v.Type.IsHeap)
        {
            var f = v.Type.LookupHeap(PyStr.S___format__);
            if (f != null)
            {
                var r = Ops.CallSlot(f, v, new PyStr(spec));
                if (r is not PyStr rs) throw Ops.TypeError("__format__ must return a str");
                return rs.Value;
            }
        }
        return FormatBuiltin(v, spec);
    }

    /// <summary>The built-in types' own __format__ (int.__format__, str.__format__...): no lookup of an override, so a
    /// class that takes one of them as its __format__ (Lib's enum: IntEnum.__format__ = int.__format__) ends here.</summary>
    public static string FormatBuiltin(PyObject v, string spec)
    {
        if (spec.Length == 0) return Ops.Str(v);
        switch (v)
        {
            case PyBool b when b.GetType() == typeof(PyBool) && ParseSpec(spec, v).Type == '\0': return Pad(b.Repr(), ParseSpec(spec, v), '<');
            case PyInt i: return FormatInt(i, ParseSpec(spec, v));
            case PyFloat f: return FormatFloat(f.V, ParseSpec(spec, v));
            case PyStr s: return FormatStr(s.Value, ParseSpec(spec, v));
            case PyComplex c: return Builtins.TypeMethods.FormatComplex(c.V, spec);
        }
        if ((v.Type.IsHeap && v is PyInstance) || v is PyBytes) throw Ops.TypeError($"unsupported format string passed to {v.Type.Name}.__format__");
        return FormatStr(Ops.Str(v), ParseSpec(spec, v));
    }

    public static string Pad(string s, Spec sp, char defAlign)
    {
        if (sp.Width <= s.Length) return s;
        int pad = sp.Width - s.Length;
        char a = sp.Align == '\0' ? defAlign : sp.Align;
        switch (a)
        {
            case '<': return s + new string(sp.Fill, pad);
            case '>': return new string(sp.Fill, pad) + s;
            case '^': return new string(sp.Fill, pad / 2) + s + new string(sp.Fill, pad - pad / 2);
            default:
                {
                    int signLen = 0;
                    if (s.Length > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) signLen = 1;
                    if (s.Length > signLen + 1 && s[signLen] == '0' && "xXobB".IndexOf(s[signLen + 1]) >= 0) signLen += 2;
                    return s.Substring(0, signLen) + new string(sp.Fill, pad) + s.Substring(signLen);
                }
        }
    }

    public static string FormatStr(string s, Spec sp)
    {
        if (sp.Type != '\0' && sp.Type != 's') throw Ops.ValueError($"Unknown format code '{sp.Type}' for object of type 'str'");
        if (sp.Sign != '\0') throw Ops.ValueError(sp.Sign == ' ' ? "Space not allowed in string format specifier" : "Sign not allowed in string format specifier");
        if (sp.Z) throw Ops.ValueError("Negative zero coercion (z) not allowed in string format specifier");
        if (sp.Alt) throw Ops.ValueError("Alternate form (#) not allowed in string format specifier");
        if (sp.AlignFromZero) sp.Align = '\0';
        if (sp.Align == '=') throw Ops.ValueError("'=' alignment not allowed in string format specifier");
        if (sp.Precision >= 0 && s.Length > sp.Precision) s = s.Substring(0, sp.Precision);
        return Pad(s, sp, '<');
    }

    private static string Group(string digits, char sep, int every)
    {
        if (sep == '\0') return digits;
        var sb = new StringBuilder();
        int n = digits.Length;
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && (n - i) % every == 0) sb.Append(sep);
            sb.Append(digits[i]);
        }
        return sb.ToString();
    }

    public static string FormatInt(PyInt v, Spec sp)
    {
        char t = sp.Type;
        if ("eEfFgG%".IndexOf(t) >= 0 && t != '\0') return FormatFloat(v.ToDouble(), sp);
        if (sp.Precision >= 0) throw Ops.ValueError("Precision not allowed in integer format specifier");
        if (sp.Z) throw Ops.ValueError("Negative zero coercion (z) not allowed in integer format specifier");
        var b = v.Big;
        bool neg = b.Sign < 0;
        var a = BigInteger.Abs(b);
        string digits, prefix = "";
        switch (t)
        {
            case '\0': case 'd': case 'n': digits = v.IsBig ? PyInt.DecimalDigits(a) : a.ToString(Inv); break;
            case 'x': digits = ToBase(a, 16, false); if (sp.Alt) prefix = "0x"; break;
            case 'X': digits = ToBase(a, 16, true); if (sp.Alt) prefix = "0X"; break;
            case 'o': digits = ToBase(a, 8, false); if (sp.Alt) prefix = "0o"; break;
            case 'b': digits = ToBase(a, 2, false); if (sp.Alt) prefix = "0b"; break;
            case 'c':
                if (sp.Sign != '\0') throw Ops.ValueError("Sign not allowed with integer format specifier 'c'");
                if (sp.Alt) throw Ops.ValueError("Alternate form (#) not allowed with integer format specifier 'c'");
                if (b.Sign < 0 || b > 0x10FFFF) throw Ops.OverflowError("%c arg not in range(0x110000)");
                return Pad(PyStr.CodePointText((int)b), sp, '<');
            default: throw Ops.ValueError($"Unknown format code '{t}' for object of type 'int'");
        }
        if (sp.Grouping != '\0') digits = Group(digits, sp.Grouping, t == 'x' || t == 'X' || t == 'o' || t == 'b' ? 4 : 3);
        string sign = neg ? "-" : sp.Sign == '+' ? "+" : sp.Sign == ' ' ? " " : "";
        if (sp.Align == '=' && sp.Fill == '0' && sp.Grouping != '\0' && sp.Width > 0)
        {
            int need = sp.Width - sign.Length - prefix.Length;
            var raw = digits.Replace(sp.Grouping.ToString(), "");
            while (Group(raw, sp.Grouping, 3).Length < need) raw = "0" + raw;
            digits = Group(raw, sp.Grouping, 3);
            return sign + prefix + digits;
        }
        return Pad(sign + prefix + digits, sp, '>');
    }

    public static string ToBase(BigInteger a, int b, bool upper)
    {
        if (a.IsZero) return "0";
        if (a <= ulong.MaxValue)
        {
            ulong u = (ulong)a;
            var sb0 = new StringBuilder();
            string ds = upper ? "0123456789ABCDEF" : "0123456789abcdef";
            while (u > 0) { sb0.Insert(0, ds[(int)(u % (ulong)b)]); u /= (ulong)b; }
            return sb0.ToString();
        }
        var sb = new StringBuilder();
        string digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        while (!a.IsZero) { sb.Insert(0, digs[(int)(a % b)]); a /= b; }
        return sb.ToString();
    }

    public static string FormatFloat(double d, Spec sp)
    {
        char t = sp.Type;
        bool neg = double.IsNegative(d) && !double.IsNaN(d);
        double a = Math.Abs(d);
        string body;
        int prec = sp.Precision;
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            body = double.IsNaN(d) ? "nan" : "inf";
            if (t == 'E' || t == 'F' || t == 'G') body = body.ToUpperInvariant();
            if (t == '%') body += "%";
        }
        else switch (t)
        {
            case 'f': case 'F': body = FixedStr(a, prec < 0 ? 6 : prec); if (sp.Alt && !body.Contains('.')) body += "."; break;
            case 'e': case 'E': body = ExpStr(a, prec < 0 ? 6 : prec, t == 'E', sp.Alt); break;
            case '%': body = FixedStr(a * 100, prec < 0 ? 6 : prec) + "%"; break;
            case 'g': case 'G': case 'n': body = GeneralStr(a, prec < 0 ? 6 : prec == 0 ? 1 : prec, t == 'G', sp.Alt, false); break;
            case '\0':
                if (prec < 0) { body = FloatRepr(a); }
                else body = GeneralStr(a, prec == 0 ? 1 : prec, false, sp.Alt, true);
                break;
            default: throw Ops.ValueError($"Unknown format code '{t}' for object of type 'float'");
        }
        if (sp.Z && neg && (body.IndexOfAny(new[] { 'e', 'E' }) is int ei && ei >= 0 ? body.Substring(0, ei) : body).Trim('0', '.', '%') == "") neg = false;
        if (sp.Grouping != '\0')
        {
            int end = 0;
            while (end < body.Length && char.IsDigit(body[end])) end++;
            body = Group(body.Substring(0, end), sp.Grouping, 3) + body.Substring(end);
        }
        string sign = neg ? "-" : sp.Sign == '+' ? "+" : sp.Sign == ' ' ? " " : "";
        return Pad(sign + body, sp, '>');
    }

    public static string FixedStr(double a, int prec)
    {
        if (a >= 1e16)
        {
            var bi = new BigInteger(a);
            return bi.ToString(Inv) + (prec > 0 ? "." + new string('0', prec) : "");
        }
        return a.ToString("F" + prec.ToString(Inv), Inv);
    }

    public static string ExpStr(double a, int prec, bool upper, bool alt)
    {
        string s = a.ToString((upper ? "E" : "e") + prec.ToString(Inv), Inv);
        int ep = s.IndexOfAny(new[] { 'e', 'E' });
        string mant = s.Substring(0, ep);
        int exp = int.Parse(s.AsSpan(ep + 1), NumberStyles.AllowLeadingSign, Inv);
        if (alt && !mant.Contains('.')) mant += ".";
        return mant + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", Inv);
    }

    private static string GeneralStr(double a, int prec, bool upper, bool alt, bool noneType)
    {
        if (a == 0) return noneType ? "0.0" : alt ? "0." + new string('0', prec - 1) : "0";
        string es = a.ToString("E" + (prec - 1).ToString(Inv), Inv);
        int exp = int.Parse(es.AsSpan(es.IndexOf('E') + 1), NumberStyles.AllowLeadingSign, Inv);
        string r;
        // no type with a precision is 'g' that keeps a ".0": the exponent form one digit sooner (CPython's add_dot_0)
        if (exp >= -4 && exp < (noneType ? prec - 1 : prec))
        {
            r = a.ToString("F" + Math.Max(0, prec - 1 - exp).ToString(Inv), Inv);
            if (!alt && r.Contains('.')) r = r.TrimEnd('0').TrimEnd('.');
            if (alt && !r.Contains('.')) r += ".";
            if (noneType && !r.Contains('.')) r += ".0";
        }
        else
        {
            r = ExpStr(a, prec - 1, upper, alt);
            if (!alt)
            {
                int ep = r.IndexOfAny(new[] { 'e', 'E' });
                var m = r.Substring(0, ep);
                if (m.Contains('.')) m = m.TrimEnd('0').TrimEnd('.');
                r = m + r.Substring(ep);
            }
        }
        return r;
    }

    // ---------------- % formatting ----------------
    public static string PercentFormat(string fmt, PyObject args, bool bytes = false)
    {
        var sb = new StringBuilder();
        PyObject[] items;
        PyObject? mapping = null;
        if (args is PyTuple t) items = t.Items; // PyTuple_Check: a tuple subclass (namedtuple) gives its items too
        else
        {
            items = new[] { args };
            if (args is PyDict || (args.Type.IsHeap && args.Type.Lookup(PyStr.S___getitem__) != null && args is not PyTuple && args is not PyStr)) mapping = args;
        }
        int ai = 0;
        int i = 0;
        bool usedMapping = false;
        while (i < fmt.Length)
        {
            char c = fmt[i++];
            if (c != '%') { sb.Append(c); continue; }
            if (i >= fmt.Length) throw Ops.ValueError("incomplete format");
            PyObject? val = null;
            if (fmt[i] == '(')
            {
                int depth = 1, st = ++i;
                while (i < fmt.Length && depth > 0) { if (fmt[i] == '(') depth++; else if (fmt[i] == ')') depth--; i++; }
                var key = fmt.Substring(st, i - st - 1);
                if (mapping == null) throw Ops.TypeError("format requires a mapping");
                val = Ops.GetItem(mapping, bytes ? new PyBytes(System.Text.Encoding.Latin1.GetBytes(key)) : new PyStr(key)); // b'%(k)s' looks up b'k'
                usedMapping = true;
            }
            var sp = new Spec { Fill = ' ', Width = -1, Precision = -1 };
            bool left = false;
            while (i < fmt.Length && "-+ #0".IndexOf(fmt[i]) >= 0)
            {
                switch (fmt[i]) { case '-': left = true; break; case '+': sp.Sign = '+'; break; case ' ': if (sp.Sign != '+') sp.Sign = ' '; break; case '#': sp.Alt = true; break; case '0': sp.Zero = true; break; }
                i++;
            }
            if (i < fmt.Length && fmt[i] == '*') { sp.Width = (int)Ops.IndexValue(items[ai++]); i++; if (sp.Width < 0) { left = true; sp.Width = -sp.Width; } }
            else { int st = i; while (i < fmt.Length && char.IsDigit(fmt[i])) i++; if (i > st) sp.Width = int.Parse(fmt.AsSpan(st, i - st), NumberStyles.None, Inv); }
            if (i < fmt.Length && fmt[i] == '.')
            {
                i++;
                if (i < fmt.Length && fmt[i] == '*') { sp.Precision = (int)Ops.IndexValue(items[ai++]); i++; }
                else { int st = i; while (i < fmt.Length && char.IsDigit(fmt[i])) i++; sp.Precision = i > st ? int.Parse(fmt.AsSpan(st, i - st), NumberStyles.None, Inv) : 0; }
            }
            while (i < fmt.Length && (fmt[i] == 'l' || fmt[i] == 'h' || fmt[i] == 'L')) i++;
            if (i >= fmt.Length) throw Ops.ValueError("incomplete format");
            char type = fmt[i++];
            if (type == '%') { sb.Append('%'); continue; }
            if (val == null)
            {
                if (ai >= items.Length) throw Ops.TypeError("not enough arguments for format string");
                val = items[ai++];
            }
            sp.Align = left ? '<' : (sp.Zero && "srac".IndexOf(type) < 0 ? '=' : '>');
            if (sp.Zero && !left && type != 's' && type != 'r' && type != 'a' && type != 'c') sp.Fill = '0';
            string s;
            if (bytes && BytesConversion(type, val, sp) is { } converted) { sb.Append(converted); continue; }
            switch (type)
            {
                case 's': s = bytes && val is PyBytes bb ? System.Text.Encoding.Latin1.GetString(bb.Span) : Ops.Str(val); if (sp.Precision >= 0 && s.Length > sp.Precision) s = s.Substring(0, sp.Precision); s = Pad(s, sp, '>'); break;
                case 'r': case 'a': s = type == 'a' ? Builtins.BuiltinsModule.Ascii(Ops.Repr(val)) : Ops.Repr(val); if (sp.Precision >= 0 && s.Length > sp.Precision) s = s.Substring(0, sp.Precision); s = Pad(s, sp, '>'); break;
                case 'c':
                    if (val is PyStr cs && cs.Value.Length != 1 || val is not PyStr && val is not PyInt) throw Ops.TypeError("%c requires int or char");
                    s = val is PyStr cs2 ? cs2.Value : ((char)Ops.IndexValue(val)).ToString(); s = Pad(s, sp, '>'); break;
                case 'd': case 'i': case 'u':
                    {
                        if (val is not PyInt && val is not PyFloat && !val.Type.IsHeap) throw Ops.TypeError($"%{type} format: a real number is required, not {val.Type.Name}");
                        PyInt iv = val is PyFloat fv ? (PyInt)Builtins.TypeMethods.FloatToInt(fv.V) : val as PyInt ?? (PyInt)Builtins.TypeMethods.ToInt(val);
                        sp.Type = 'd';
                        int prec = sp.Precision; sp.Precision = -1;
                        s = FormatInt(iv, sp);
                        if (prec > 0) { var digs = PyInt.DecimalDigits(BigInteger.Abs(iv.Big)).PadLeft(prec, '0'); s = Pad((iv.Sign < 0 ? "-" : sp.Sign == '+' ? "+" : "") + digs, sp, '>'); }
                        break;
                    }
                case 'x': case 'X': case 'o':
                    {
                        var iv = val as PyInt ?? throw Ops.TypeError($"%{type} format: an integer is required, not {val.Type.Name}");
                        sp.Type = type; sp.Precision = -1;
                        s = FormatInt(iv, sp);
                        break;
                    }
                case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
                    {
                        double dv = val is PyFloat f ? f.V : val is PyInt ii ? ii.ToDouble() : Builtins.TypeMethods.ToDouble(val);
                        sp.Type = type;
                        if (sp.Precision < 0) sp.Precision = 6;
                        s = FormatFloat(dv, sp);
                        break;
                    }
                default: throw Ops.ValueError($"unsupported format character '{type}' (0x{(int)type:x}) at index {i - 1}");
            }
            sb.Append(s);
        }
        if (ai < items.Length && !usedMapping && mapping == null) throw Ops.TypeError($"not all arguments converted during {(bytes ? "bytes" : "string")} formatting");
        return sb.ToString();
    }

    /// <summary>The conversions that differ for bytes % args (CPython's _PyBytes_FormatEx), as Latin-1 text: %b and %s
    /// take a buffer or an object with __bytes__, %r and %a are ascii(), %c takes an int in range(256) or one byte;
    /// null for the numeric conversions (shared with str).</summary>
    private static string? BytesConversion(char type, PyObject val, Spec sp)
    {
        string s;
        switch (type)
        {
            case 'b': case 's':
                if (Modules.Buffers.TryRead(val, out var buffer)) s = System.Text.Encoding.Latin1.GetString(buffer);
                else if (val is not PyStr && val.Type.Lookup(PyStr.Intern("__bytes__")) is { } method)
                {
                    var r = Ops.CallArgs(method, val);
                    if (r is not PyBytes rb || r is PyByteArray) throw Ops.TypeError($"__bytes__ returned non-bytes (type {r.Type.Name})");
                    s = System.Text.Encoding.Latin1.GetString(rb.Span);
                }
                else throw Ops.TypeError($"%b requires a bytes-like object, or an object that implements __bytes__, not '{val.Type.Name}'");
                break;
            case 'r': case 'a':
                s = Builtins.BuiltinsModule.Ascii(Ops.Repr(val));
                break;
            case 'c':
                if (val is PyBytes cb)
                {
                    if (cb.Span.Length != 1) throw Ops.TypeError("%c requires an integer in range(256) or a single byte");
                    s = ((char)cb.Span[0]).ToString();
                }
                else if (val is PyInt || (val is not PyFloat && val.Type.Lookup(PyStr.S___index__) != null))
                {
                    long v = Ops.IndexValueClamped(val);
                    if (v < 0 || v > 255) throw Ops.OverflowError("%c arg not in range(256)");
                    s = ((char)v).ToString();
                }
                else throw Ops.TypeError("%c requires an integer in range(256) or a single byte");
                return Pad(s, sp, '>');
            default: return null;
        }
        if (sp.Precision >= 0 && s.Length > sp.Precision) s = s.Substring(0, sp.Precision);
        return Pad(s, sp, '>');
    }

    // ---------------- str.format ----------------
    public static string StrFormat(string fmt, ReadOnlySpan<PyObject> args, PyStr[]? kw, int depth = 0)
    {
        int auto = 0;
        return StrFormat(fmt, args, kw, null, ref auto, depth);
    }

    /// <summary>str.format_map(mapping): names are looked up with mapping[name] (so a dict subclass's __missing__ runs).</summary>
    public static string StrFormatMap(string fmt, PyObject mapping)
    {
        int auto = 0;
        return StrFormat(fmt, ReadOnlySpan<PyObject>.Empty, null, mapping, ref auto, 0);
    }

    /// <summary>The replacement fields of <paramref name="fmt"/>; <paramref name="auto"/> is the automatic field
    /// number, shared with the nested fields of format specs ("{:{}{}}"), -1 once fields are numbered by hand.</summary>
    private static string StrFormat(string fmt, ReadOnlySpan<PyObject> args, PyStr[]? kw, PyObject? mapping, ref int auto, int depth)
    {
        if (depth > 1) throw Ops.ValueError("Max string recursion exceeded"); // one level of nesting, as CPython
        int npos = args.Length - (kw?.Length ?? 0);
        var sb = new StringBuilder();
        int i = 0;
        while (i < fmt.Length)
        {
            char c = fmt[i];
            if (c == '{')
            {
                if (i + 1 < fmt.Length && fmt[i + 1] == '{') { sb.Append('{'); i += 2; continue; }
                int d = 1, st = ++i;
                while (i < fmt.Length && d > 0) { if (fmt[i] == '{') d++; else if (fmt[i] == '}') d--; if (d > 0) i++; }
                if (i >= fmt.Length) throw Ops.ValueError("expected '}' before end of string");
                string field = fmt.Substring(st, i - st);
                i++;
                string? conv = null, spec = "";
                int colon = -1, bang = -1, br = 0;
                for (int k = 0; k < field.Length; k++)
                {
                    if (field[k] == '[') br++;
                    else if (field[k] == ']') br--;
                    else if (br == 0 && field[k] == '!' && bang < 0 && colon < 0) bang = k;
                    else if (br == 0 && field[k] == ':' && colon < 0) { colon = k; break; }
                }
                if (colon >= 0) { spec = field.Substring(colon + 1); field = field.Substring(0, colon); }
                if (bang >= 0) { conv = field.Substring(bang + 1); field = field.Substring(0, bang); }
                // name part
                int p = 0;
                while (p < field.Length && field[p] != '.' && field[p] != '[') p++;
                string first = field.Substring(0, p);
                PyObject val;
                if (mapping != null && (first.Length == 0 || char.IsDigit(first[0])))
                    throw Ops.ValueError("Format string contains positional fields");
                if (first.Length == 0)
                {
                    if (auto < 0) throw Ops.ValueError("cannot switch from manual field specification to automatic field numbering");
                    if (auto >= npos) throw Ops.IndexError($"Replacement index {auto} out of range for positional args tuple");
                    val = args[auto++];
                }
                else if (char.IsDigit(first[0]))
                {
                    int idx = int.Parse(first, Inv);
                    if (auto > 0) throw Ops.ValueError("cannot switch from automatic field numbering to manual field specification");
                    auto = -1;
                    if (idx >= npos) throw Ops.IndexError($"Replacement index {idx} out of range for positional args tuple");
                    val = args[idx];
                }
                else
                {
                    PyObject? found = null;
                    if (mapping != null) found = Ops.GetItem(mapping, new PyStr(first));
                    else if (kw != null) for (int j = 0; j < kw.Length; j++) if (kw[j].Value == first) found = args[npos + j];
                    val = found ?? throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, new PyStr(first)));
                }
                while (p < field.Length)
                {
                    if (field[p] == '.')
                    {
                        int s2 = ++p;
                        while (p < field.Length && field[p] != '.' && field[p] != '[') p++;
                        val = Ops.GetAttr(val, PyStr.Intern(field.Substring(s2, p - s2)));
                    }
                    else
                    {
                        int s2 = ++p;
                        while (p < field.Length && field[p] != ']') p++;
                        var key = field.Substring(s2, p - s2);
                        p++;
                        val = Ops.GetItem(val, key.Length > 0 && char.IsDigit(key[0]) ? PyInt.Get(long.Parse(key, Inv)) : new PyStr(key));
                    }
                }
                if (conv == "r") val = new PyStr(Ops.Repr(val));
                else if (conv == "s") val = new PyStr(Ops.Str(val));
                else if (conv == "a") val = new PyStr(Ops.Repr(val));
                else if (conv != null) throw Ops.ValueError($"Unknown conversion specifier {conv}");
                if (spec.Contains('{')) spec = StrFormat(spec, args, kw, mapping, ref auto, depth + 1);
                sb.Append(Format(val, spec));
            }
            else if (c == '}')
            {
                if (i + 1 < fmt.Length && fmt[i + 1] == '}') { sb.Append('}'); i += 2; continue; }
                throw Ops.ValueError("Single '}' encountered in format string");
            }
            else { sb.Append(c); i++; }
        }
        return sb.ToString();
    }
}
