using System;
using System.Globalization;
using System.Numerics;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary><c>float(x)</c>, <c>float.fromhex</c>, <c>float.__floor__</c>/<c>__ceil__</c>: CPython's float_new_impl,
/// PyNumber_Float, PyFloat_FromString and float_fromhex (Objects/floatobject.c, Objects/abstract.c).</summary>
public static partial class TypeMethods
{
    public static PyObject NewFloat(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        // keywords are refused unless a subclass's own __init__ takes them (CPython's float_new)
        if (k != null && k.Length > 0 && (cls == PyFloat.TypeObj || cls.LookupHeap(PyStr.Intern("__init__")) == null))
            throw Ops.TypeError("float() takes no keyword arguments");
        int n = Ops.PosCount(a, k);
        if (n > 1) throw Ops.TypeError($"float expected at most 1 argument, got {n}");
        double v = n == 1 ? ToDoubleParse(a[0]) : 0.0;
        return cls == PyFloat.TypeObj ? new PyFloat(v) : new PyFloatSub(cls, v);
    }

    /// <summary>PyNumber_Float: <c>__float__</c> (which must return a float), <c>__index__</c>, then a str, bytes or
    /// other buffer holding a float literal.</summary>
    public static double ToDoubleParse(PyObject x)
    {
        switch (x)
        {
            case PyFloat f when !f.Type.IsHeap: return f.V;
            case PyInt i when !i.Type.IsHeap: return i.ToDouble();
        }
        var type = x.Type;
        if (type.Lookup(PyStr.S___float__) is { } floatFn)
        {
            var r = Ops.CallPrepend(floatFn, x, Array.Empty<PyObject>(), null);
            if (r is not PyFloat rf) throw Ops.TypeError($"{type.Name}.__float__ returned non-float (type {r.Type.Name})");
            if (rf.GetType() != typeof(PyFloat))
                Warn($"{type.Name}.__float__ returned non-float (type {r.Type.Name}).  The ability to return an instance of a strict subclass of float is deprecated, and may be removed in a future version of Python.");
            return rf.V;
        }
        if (type.Lookup(PyStr.S___index__) is { } indexFn)
            return ExactInt(Ops.CallPrepend(indexFn, x, Array.Empty<PyObject>(), null), "__index__").ToDouble();
        switch (x)
        {
            case PyFloat f: return f.V;
            case PyStr s: return ParseFloat(s.Value, s);
            case PyBytes by: return ParseFloatAscii(BytesAsChars(by.Span), x);
            case PyMemoryView mv: return ParseFloatAscii(BytesAsChars(mv.ToBytes()), x);
        }
        if (Modules.Buffers.TryRead(x, out var buffer)) return ParseFloatAscii(BytesAsChars(buffer), x);
        throw Ops.TypeError($"float() argument must be a string or a real number, not '{x.Type.Name}'");
    }

    private static char[] BytesAsChars(ReadOnlySpan<byte> b)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++) chars[i] = b[i] < 0x80 ? (char)b[i] : '?';
        return chars;
    }

    public static readonly double PositiveNaN = BitConverter.Int64BitsToDouble(0x7ff8000000000000);

    /// <summary>float(s) of a str: Unicode white space and decimal digits count as their ASCII forms.</summary>
    public static double ParseFloat(string str) => ParseFloat(str, null);

    private static double ParseFloat(string str, PyObject? original)
    {
        string ascii = str;
        foreach (char c in str)
            if (c >= 0x80) { ascii = TransformDecimalAndSpace(str); break; }
        return ParseFloatAscii(ascii, original ?? PyStr.Of(str));
    }

    private static double ParseFloatAscii(ReadOnlySpan<char> s, PyObject original) =>
        TryParseFloatLiteral(s, out double d) ? d : throw Ops.ValueError($"could not convert string to float: {Ops.Repr(original)}");

    /// <summary>CPython's float literal (PyFloat_FromString, _Py_string_to_number_with_underscores, _PyOS_ascii_strtod):
    /// white space around an optional sign and inf/infinity/nan or decimal digits with an optional fraction and
    /// exponent, single underscores only between digits.</summary>
    private static bool TryParseFloatLiteral(ReadOnlySpan<char> s, out double d)
    {
        d = 0;
        int i = 0, n = s.Length;
        while (i < n && IsCSpace(s[i])) i++;
        while (n > i && IsCSpace(s[n - 1])) n--;
        s = s.Slice(i, n - i);
        if (s.Length == 0) return false;
        bool neg = s[0] == '-';
        var body = s[0] == '-' || s[0] == '+' ? s.Slice(1) : s;
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            d = neg ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase)) { d = neg ? -PositiveNaN : PositiveNaN; return true; }
        // [digits][.digits][(e|E)[sign]digits], at least one mantissa digit; '_' only between two digits
        int j = 0, mantissaDigits = 0;
        bool underscores = false;
        bool Digits(ReadOnlySpan<char> t, ref int p, out int count)
        {
            count = 0;
            while (p < t.Length)
            {
                char c = t[p];
                if (c >= '0' && c <= '9') { count++; p++; }
                else if (c == '_' && count > 0 && p + 1 < t.Length && t[p + 1] >= '0' && t[p + 1] <= '9') { underscores = true; p++; }
                else break;
            }
            return count > 0;
        }
        Digits(body, ref j, out int intDigits);
        mantissaDigits += intDigits;
        if (j < body.Length && body[j] == '.')
        {
            j++;
            Digits(body, ref j, out int fracDigits);
            mantissaDigits += fracDigits;
        }
        if (mantissaDigits == 0) return false;
        if (j < body.Length && (body[j] == 'e' || body[j] == 'E'))
        {
            j++;
            if (j < body.Length && (body[j] == '+' || body[j] == '-')) j++;
            if (!Digits(body, ref j, out _)) return false;
        }
        if (j != body.Length) return false;
        if (underscores)
        {
            var clean = new char[s.Length];
            int m = 0;
            foreach (char c in s) if (c != '_') clean[m++] = c;
            s = clean.AsSpan(0, m);
        }
        d = double.Parse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
        return true;
    }

    // ---------------- float methods ----------------

    private static readonly ArgParser FromHexArgs = new("fromhex", "string, /");

    /// <summary>float's methods defined here (called from InitNumbers).</summary>
    private static void InitFloatMethods(PyType ft)
    {
        ft.SetMember("fromhex", new PyClassMethod(new PyBuiltinFunction("fromhex", (a, k) =>
        {
            var cls = (PyType)a[0];
            var args = FromHexArgs.Parse(a.Slice(1), k);
            if (args[0] is not PyStr s) throw Ops.TypeError($"fromhex() argument must be str, not {args[0]!.Type.Name}");
            var f = new PyFloat(ParseHexFloat(s.Value));
            return cls == PyFloat.TypeObj ? f : Ops.Call1(cls, f);
        })));
        ft.AddMethod("__floor__", (a, k) => { ArgParser.NoArgs("__floor__", a.Slice(1), k); return FloatToInt(Math.Floor(((PyFloat)a[0]).V)); });
        ft.AddMethod("__ceil__", (a, k) => { ArgParser.NoArgs("__ceil__", a.Slice(1), k); return FloatToInt(Math.Ceiling(((PyFloat)a[0]).V)); });
    }

    private static int HexDigit(char c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    /// <summary>float.fromhex: [ws][sign](inf|infinity|nan | [0x]hex[.hex][p[sign]dec])[ws], rounded half to even to the
    /// nearest double (subnormals included); OverflowError past the largest finite double.</summary>
    private static double ParseHexFloat(string str)
    {
        var invalid = Ops.ValueError("invalid hexadecimal floating-point string");
        int i = 0, n = str.Length;
        while (i < n && IsCSpace(str[i])) i++;
        while (n > i && IsCSpace(str[n - 1])) n--;
        var s = str.AsSpan(i, n - i);
        bool neg = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; s = s.Slice(1); }
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            return neg ? double.NegativeInfinity : double.PositiveInfinity;
        if (s.Equals("nan", StringComparison.OrdinalIgnoreCase)) return neg ? -PositiveNaN : PositiveNaN;
        if (s.Length >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.Slice(2);
        int j = 0;
        int intStart = j;
        while (j < s.Length && HexDigit(s[j]) >= 0) j++;
        var intPart = s.Slice(intStart, j - intStart);
        ReadOnlySpan<char> fracPart = default;
        if (j < s.Length && s[j] == '.')
        {
            int fs = ++j;
            while (j < s.Length && HexDigit(s[j]) >= 0) j++;
            fracPart = s.Slice(fs, j - fs);
        }
        if (intPart.Length + fracPart.Length == 0) throw invalid;
        long exp = 0;
        if (j < s.Length && (s[j] == 'p' || s[j] == 'P'))
        {
            j++;
            bool eneg = false;
            if (j < s.Length && (s[j] == '-' || s[j] == '+')) { eneg = s[j] == '-'; j++; }
            int es = j;
            while (j < s.Length && s[j] >= '0' && s[j] <= '9')
            {
                if (exp < (1L << 40)) exp = exp * 10 + (s[j] - '0');   // saturates: such exponents over/underflow anyway
                j++;
            }
            if (j == es) throw invalid;
            if (eneg) exp = -exp;
        }
        if (j != s.Length) throw invalid;
        // value = mantissa * 2**(exp - 4 * fraction digits)
        BigInteger m = BigInteger.Zero;
        foreach (char c in intPart) m = (m << 4) + HexDigit(c);
        foreach (char c in fracPart) m = (m << 4) + HexDigit(c);
        exp -= 4L * fracPart.Length;
        if (m.IsZero) return neg ? -0.0 : 0.0;
        long bits = (long)m.GetBitLength();
        if (bits + exp > 1025) throw Ops.OverflowError("hexadecimal value too large to represent as a float");
        // drop the bits below a double's precision (53 bits, or fewer for a subnormal: its lowest bit is 2**-1074)
        long drop = Math.Max(bits - 53, -1074 - exp);
        if (drop > 0)
        {
            if (drop > bits + 1) { m = BigInteger.Zero; exp += drop; }
            else
            {
                var q = m >> (int)drop;
                var rem = m - (q << (int)drop);
                var half = BigInteger.One << (int)(drop - 1);
                if (rem > half || (rem == half && !q.IsEven)) q += 1;
                m = q;
                exp += drop;
            }
        }
        double r = Math.ScaleB((double)m, (int)Math.Clamp(exp, -2000, 2000));
        if (double.IsInfinity(r)) throw Ops.OverflowError("hexadecimal value too large to represent as a float");
        return neg ? -r : r;
    }
}
