using System;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary><c>int(x)</c> and <c>int(x, base)</c>: CPython's <c>long_new_impl</c>, <c>PyNumber_Long</c> and
/// <c>PyLong_FromString</c> (Objects/longobject.c, Objects/abstract.c).</summary>
public static partial class TypeMethods
{
    private static readonly PyStr STrunc = PyStr.Intern("__trunc__");

    public static PyObject NewInt(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        int n = Ops.PosCount(a, k);
        if (n > 2) throw Ops.TypeError($"int() takes at most 2 arguments ({n} given)");
        var x = n > 0 ? a[0] : null;   // int([x], /, base=10)
        var b = Ops.Arg(a, k, 1, "base");
        if (k != null)
            foreach (var name in k)
                if (name.Value != "base") throw Ops.TypeError($"'{name.Value}' is an invalid keyword argument for int()");
        if (x == null)
        {
            if (b != null) throw Ops.TypeError("int() missing string argument");
            return PyInt.Zero;
        }
        if (b == null) return ToInt(x);
        // PyNumber_AsSsize_t(base, NULL): a huge base clamps (and so is out of range), it does not overflow
        long bs = Ops.IndexValueClamped(b);
        if ((bs != 0 && bs < 2) || bs > 36) throw Ops.ValueError("int() base must be >= 2 and <= 36, or 0");
        return x switch
        {
            PyStr s => ParseInt(s, (int)bs),
            PyBytes by => ParseIntBytes(by.Span, (int)bs),   // bytes and bytearray
            _ => throw Ops.TypeError("int() can't convert non-string with explicit base"),
        };
    }

    /// <summary><c>int(x)</c> (PyNumber_Long): <c>__int__</c>, <c>__index__</c>, <c>__trunc__</c>, then a str, bytes or
    /// other buffer holding a decimal literal.</summary>
    public static PyObject ToInt(PyObject x)
    {
        switch (x)
        {
            case PyBool bo: return PyInt.Get(bo.V);
            case PyInt i when !i.Type.IsHeap: return i;
            case PyFloat f when !f.Type.IsHeap: return FloatToInt(f.V);
        }
        var type = x.Type;
        if (type.Lookup(PyStr.S___int__) is { } intFn)
            return ExactInt(Ops.CallPrepend(intFn, x, Array.Empty<PyObject>(), null), "__int__");
        if (type.Lookup(PyStr.S___index__) is { } indexFn)
            return ExactInt(Ops.CallPrepend(indexFn, x, Array.Empty<PyObject>(), null), "__index__");
        if (type.Lookup(STrunc) is { } truncFn)
        {
            Warn("The delegation of int() to __trunc__ is deprecated.");
            var r = Ops.CallPrepend(truncFn, x, Array.Empty<PyObject>(), null);
            if (r is PyInt ri) return ri.GetType() == typeof(PyInt) ? ri : PyInt.Get(ri.Big);
            if (r.Type.Lookup(PyStr.S___index__) == null) throw Ops.TypeError($"__trunc__ returned non-Integral (type {r.Type.Name})");
            return ExactInt(Ops.CallPrepend(r.Type.Lookup(PyStr.S___index__)!, r, Array.Empty<PyObject>(), null), "__index__");
        }
        switch (x)
        {
            case PyStr s: return ParseInt(s, 10);
            case PyBytes by: return ParseIntBytes(by.Span, 10);
            case PyMemoryView mv: return ParseIntBytes(mv.ToBytes(), 10);
        }
        if (Modules.Buffers.TryRead(x, out var buffer)) return ParseIntBytes(buffer, 10);
        throw Ops.TypeError($"int() argument must be a string, a bytes-like object or a real number, not '{x.Type.Name}'");
    }

    /// <summary>What <c>__int__</c>/<c>__index__</c> returned, as an exact int: TypeError for a non-int, a
    /// DeprecationWarning (then its int value) for an int subclass.</summary>
    private static PyInt ExactInt(PyObject r, string method)
    {
        if (r is not PyInt ri) throw Ops.TypeError($"{method} returned non-int (type {r.Type.Name})");
        if (ri.GetType() == typeof(PyInt)) return ri;
        Warn($"{method} returned non-int (type {r.Type.Name}).  The ability to return an instance of a strict subclass of int is deprecated, and may be removed in a future version of Python.");
        return PyInt.Get(ri.Big);
    }

    private static void Warn(string message)
    {
        var warnings = Vm.ThreadState.Current.Interp.Imports.ImportModule("warnings");
        Ops.Call(Ops.GetAttr(warnings, "warn"), new PyObject[] { PyStr.Of(message), PyBaseException.All["DeprecationWarning"], PyInt.Get(1) });
    }

    public static PyObject FloatToInt(double d)
    {
        if (double.IsNaN(d)) throw Ops.ValueError("cannot convert float NaN to integer");
        if (double.IsInfinity(d)) throw Ops.OverflowError("cannot convert float infinity to integer");
        d = Math.Truncate(d);
        if (Math.Abs(d) < 9e18) return PyInt.Get((long)d);
        return PyInt.Get(new BigInteger(d));
    }

    /// <summary><c>int(s, base)</c> of a str (PyLong_FromUnicodeObject): Unicode white space and decimal digits count
    /// as their ASCII forms.</summary>
    public static PyInt ParseInt(PyStr s, int bs) => ParseInt(s.Value, bs, s);

    public static PyInt ParseInt(string s, int bs) => ParseInt(s, bs, null);

    private static PyInt ParseInt(string s, int bs, PyStr? original)
    {
        string ascii = s;
        foreach (char c in s)
            if (c >= 0x80) { ascii = TransformDecimalAndSpace(s); break; }
        return ParseLiteral(ascii, bs) ?? throw InvalidLiteral(bs, original ?? PyStr.Of(s));
    }

    /// <summary><c>int(b, base)</c> of bytes (CPython's _PyLong_FromBytes): ASCII only.</summary>
    public static PyInt ParseIntBytes(ReadOnlySpan<byte> b, int bs)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++) chars[i] = b[i] < 0x80 ? (char)b[i] : '?';
        return ParseLiteral(chars, bs) ?? throw InvalidLiteral(bs, new PyBytes(b.ToArray()));
    }

    private static PyException InvalidLiteral(int bs, PyObject original)
    {
        var repr = Ops.Repr(original);
        if (repr.Length > 200) repr = repr.Substring(0, 200);   // %.200R
        return Ops.ValueError($"invalid literal for int() with base {bs}: {repr}");
    }

    /// <summary>_PyUnicode_TransformDecimalAndSpaceToASCII: white space becomes ' ', a decimal digit its ASCII digit,
    /// any other non-ASCII character '?' (which no literal accepts).</summary>
    private static string TransformDecimalAndSpace(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < 0x80) { sb.Append(c); continue; }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, s[i + 1]);
                i++;
                sb.Append(CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.DecimalDigitNumber
                    ? (char)('0' + (int)Rune.GetNumericValue(new Rune(cp))) : '?');
                continue;
            }
            if (char.IsWhiteSpace(c)) sb.Append(' ');
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber) sb.Append((char)('0' + (int)CharUnicodeInfo.GetNumericValue(c)));
            else sb.Append('?');
        }
        return sb.ToString();
    }

    private static bool IsCSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    private static int DigitValue(char c) =>
        c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;

    /// <summary>PyLong_FromString on ASCII text: optional white space and sign, a base prefix (base 0 or its own
    /// base), digits with single underscores between them, optional white space; null when that is not the text.
    /// The decimal digit limit (sys.set_int_max_str_digits) is checked before any conversion work.</summary>
    private static PyInt? ParseLiteral(ReadOnlySpan<char> s, int bs)
    {
        int i = 0, n = s.Length;
        while (i < n && IsCSpace(s[i])) i++;
        bool neg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) { neg = s[i] == '-'; i++; }
        bool zeroOnly = false;   // base 0 and a leading 0 without prefix: the old octal form, valid only for zero
        char p = i + 1 < n ? char.ToLowerInvariant(s[i + 1]) : '\0';
        if (bs == 0)
        {
            if (i >= n || s[i] != '0') bs = 10;
            else if (p == 'x') bs = 16;
            else if (p == 'o') bs = 8;
            else if (p == 'b') bs = 2;
            else { bs = 10; zeroOnly = true; }
        }
        if (i < n && s[i] == '0' && ((bs == 16 && p == 'x') || (bs == 8 && p == 'o') || (bs == 2 && p == 'b')))
        {
            i += 2;
            if (i < n && s[i] == '_') i++;   // one underscore allowed after the prefix
        }
        if (i < n && s[i] == '_') return null;
        int start = i;
        long digits = 0;
        char prev = '\0';
        while (i < n)
        {
            char c = s[i];
            if (c == '_') { if (prev == '_') return null; }
            else if (DigitValue(c) < bs) digits++;
            else break;
            prev = c;
            i++;
        }
        if (prev == '_' || digits == 0) return null;
        int end = i;
        while (i < n && IsCSpace(s[i])) i++;
        if (i != n) return null;
        var body = s.Slice(start, end - start);
        if ((bs & (bs - 1)) != 0 && PyInt.CheckDecimalDigits(digits) is { } tooMany) throw Ops.ValueError(tooMany);
        if (zeroOnly)
        {
            foreach (char c in body) if (c != '0' && c != '_') return null;
            return PyInt.Zero;
        }
        bool underscores = digits != body.Length;
        if (underscores)
        {
            var clean = new char[digits];
            int j = 0;
            foreach (char c in body) if (c != '_') clean[j++] = c;
            body = clean;
        }
        return PyInt.Get(DigitsValue(body, bs, neg));
    }

    /// <summary>The value of validated digits in base 2..36: bit packing for the power-of-two bases, .NET's parser for
    /// base 10, divide and conquer for the others (never the quadratic digit-by-digit loop on long input).</summary>
    private static BigInteger DigitsValue(ReadOnlySpan<char> d, int bs, bool neg)
    {
        if (d.Length <= 12)
        {
            long v = 0;
            foreach (char c in d) v = v * bs + DigitValue(c);
            return neg ? -v : v;
        }
        BigInteger r;
        if ((bs & (bs - 1)) == 0) r = PackBits(d, BitOperations.Log2((uint)bs));
        else if (bs == 10) r = BigInteger.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture);
        else r = SplitValue(d, bs);
        return neg ? -r : r;
    }

    private static BigInteger PackBits(ReadOnlySpan<char> d, int bitsPerDigit)
    {
        var bytes = new byte[((long)d.Length * bitsPerDigit + 7) / 8 + 1];
        long bit = 0;
        for (int i = d.Length - 1; i >= 0; i--, bit += bitsPerDigit)
        {
            int v = DigitValue(d[i]);
            for (int b = 0; b < bitsPerDigit; b++)
                if ((v >> b & 1) != 0) bytes[(bit + b) >> 3] |= (byte)(1 << (int)((bit + b) & 7));
        }
        return new BigInteger(bytes, isUnsigned: true);
    }

    private static BigInteger SplitValue(ReadOnlySpan<char> d, int bs)
    {
        if (d.Length <= 12)
        {
            long v = 0;
            foreach (char c in d) v = v * bs + DigitValue(c);
            return v;
        }
        int low = d.Length / 2;
        var high = SplitValue(d.Slice(0, d.Length - low), bs);
        return high * BigInteger.Pow(bs, low) + SplitValue(d.Slice(d.Length - low), bs);
    }
}
