using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>Constructors and methods of the builtin types.</summary>
public static partial class TypeMethods
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // ---------------- constructors ----------------
    // int(): IntConstructor.cs

    // float(): FloatConstructor.cs

    public static double ToDouble(PyObject x)
    {
        if (x is PyFloat f) return f.V;
        if (x is PyInt i) return i.ToDouble();
        var r = Ops.CallSpecial(x, PyStr.S___float__);
        if (r is PyFloat rf) return rf.V;
        var ix = Ops.CallSpecial(x, PyStr.S___index__);
        if (ix is PyInt ii) return ii.ToDouble();
        throw Ops.TypeError($"must be real number, not {x.Type.Name}");
    }

    public static PyObject NewStr(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var o = Ops.Arg(a, k, 0, "object");
        if (o == null) return PyStr.Empty;
        var enc = Ops.Arg(a, k, 1, "encoding");
        var errors = Ops.Arg(a, k, 2, "errors");
        if (enc == null && errors == null) return PyStr.Of(Ops.Str(o));
        // CPython's unicode_new_impl: with an encoding or errors, the object is decoded (PyUnicode_FromEncodedObject)
        if (enc != null && enc is not PyStr) throw Ops.TypeError($"str() argument 'encoding' must be str, not {enc.Type.Name}");
        if (errors != null && errors is not PyStr) throw Ops.TypeError($"str() argument 'errors' must be str, not {errors.Type.Name}");
        string encoding = enc is PyStr e ? e.Value : "utf-8", err = errors is PyStr es ? es.Value : "strict";
        if (o is PyBytes b) return PyStr.Of(Decode(b.Span, encoding, err));
        if (o is PyStr) throw Ops.TypeError("decoding str is not supported");
        if (o is PyByteArray || o is PyMemoryView || o is Modules.IBufferExporter) return PyStr.Of(Decode(ToBytes(new[] { o }, null), encoding, err));
        throw Ops.TypeError($"decoding to str: need a bytes-like object, {o.Type.Name} found");
    }

    /// <summary>bytes.decode: the codecs of <c>_codecs</c> (error handlers, the registry for other encodings).</summary>
    public static string Decode(ReadOnlySpan<byte> b, string enc, string errors) => Modules.Codecs.CodecsModule.DecodeText(b, enc, errors);

    /// <summary>str.encode: as <see cref="Decode"/>.</summary>
    public static byte[] Encode(string s, string enc, string errors) => Modules.Codecs.CodecsModule.EncodeText(s, enc, errors);

    /// <summary>bytes(x) with neither encoding nor errors asks x's type for __bytes__ first (CPython's bytes_new);
    /// only user classes and weakref proxies can have one here. Null when x has none.</summary>
    public static byte[]? FromBytesMethod(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (a.Length != 1 || (k != null && k.Length > 0)) return null;
        var o = a[0];
        if (!o.Type.IsHeap && o is not Modules.PyWeakProxy) return null;
        if (o.Type.Lookup(PyStr.Intern("__bytes__")) is not PyObject method) return null;
        var r = Ops.CallArgs(method, o);
        return r is PyBytes b ? b.Span.ToArray() : throw Ops.TypeError($"__bytes__ returned non-bytes (type {r.Type.Name})");
    }

    public static byte[] ToBytes(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (a.Length == 0) return Array.Empty<byte>();
        var o = a[0];
        if (o is PyStr s)
        {
            var enc = Ops.Arg(a, k, 1, "encoding") ?? throw Ops.TypeError("string argument without an encoding");
            return Encode(s.Value, Ops.Str(enc), "strict");
        }
        if (o is PyInt n) return new byte[Ops.IndexValue(n)];
        if (o is PyBytes b) return b.Span.ToArray();
        if (o is PyMemoryView mv) return mv.ToBytes();
        if (o is Modules.IBufferExporter exporter) return exporter.BufferBytes.ToArray(); // array, mmap: their memory
        var items = Ops.ToArray(o);
        var r = new byte[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            long v = Ops.IndexValue(items[i]);
            if (v < 0 || v > 255) throw Ops.ValueError("bytes must be in range(0, 256)");
            r[i] = (byte)v;
        }
        return r;
    }

    public static PyObject NewRange(ReadOnlySpan<PyObject> a)
    {
        if (a.Length >= 1 && a.Length <= 3)
        {
            // Bounds beyond a C long: CPython's long range (arbitrary precision, its own iterator type).
            var ints = new PyInt[a.Length];
            bool big = false;
            for (int j = 0; j < a.Length; j++)
            {
                if (a[j] is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
                ints[j] = a[j] as PyInt ?? (PyInt)Ops.Index(a[j]);
                big |= ints[j].IsBig;
            }
            if (big)
            {
                BigInteger bStart = 0, bStop, bStep = 1;
                if (ints.Length == 1) bStop = ints[0].Big;
                else { bStart = ints[0].Big; bStop = ints[1].Big; if (ints.Length == 3) bStep = ints[2].Big; }
                if (bStep.IsZero) throw Ops.ValueError("range() arg 3 must not be zero");
                return new PyRange(new BigRange(bStart, bStop, bStep));
            }
        }
        long start = 0, stop, step = 1;
        if (a.Length == 1) stop = RangeArg(a[0]);
        else if (a.Length == 2) { start = RangeArg(a[0]); stop = RangeArg(a[1]); }
        else if (a.Length == 3) { start = RangeArg(a[0]); stop = RangeArg(a[1]); step = RangeArg(a[2]); }
        else throw Ops.TypeError($"range expected at most 3 arguments, got {a.Length}");
        if (step == 0) throw Ops.ValueError("range() arg 3 must not be zero");
        return new PyRange(start, stop, step);
    }

    private static long RangeArg(PyObject o)
    {
        if (o is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
        return Ops.IndexValue(o);
    }

    public static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger g = m, x = 0, x1 = 1, a1 = ((a % m) + m) % m;
        BigInteger b = a1;
        BigInteger old_r = b, r = m, old_s = 1, s = 0;
        while (!r.IsZero)
        {
            var q = old_r / r;
            (old_r, r) = (r, old_r - q * r);
            (old_s, s) = (s, old_s - q * s);
        }
        if (old_r != 1) throw Ops.ValueError("base is not invertible for the given modulus");
        _ = g; _ = x; _ = x1;
        return ((old_s % m) + m) % m;
    }

    public static string IntToBase(PyInt i, int b, string prefix)
    {
        var v = i.Big;
        return (v.Sign < 0 ? "-" : "") + prefix + Formatting.ToBase(BigInteger.Abs(v), b, false);
    }

    public static PyObject Round(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var x = Ops.Arg(a, k, 0, "number") ?? throw Ops.TypeError("round() missing required argument 'number'");
        var nd = Ops.Arg(a, k, 1, "ndigits");
        if (nd == PyNone.Instance) nd = null;
        if (x.Type.LookupHeap(PyStr.S___round__) is PyObject userRound)
            return Ops.CallPrepend(userRound, x, nd == null ? Array.Empty<PyObject>() : new[] { nd }, null);
        if (x is PyInt xi)
        {
            if (nd == null) return PyInt.Get(xi.Big);
            // long_round: ndigits is any int (no index-sized conversion); 10**-n beyond every int's size gives 0
            var ndBig = ((PyInt)Ops.Index(nd)).Big;
            if (ndBig.Sign >= 0) return PyInt.Get(xi.Big);
            if (ndBig < -(long)(xi.Big.GetBitLength() + 8)) return PyInt.Zero;
            long n = (long)ndBig;
            var p = BigInteger.Pow(10, (int)-n);
            var v = xi.Big;
            var q = BigInteger.DivRem(v, p, out var rem);
            if (rem.Sign < 0) { rem += p; q -= 1; }
            var twice = rem * 2;
            if (twice > p || (twice == p && !q.IsEven)) q += 1;
            return PyInt.Get(q * p);
        }
        if (x is PyFloat xf)
        {
            double d = xf.V;
            if (nd == null)
            {
                if (double.IsNaN(d)) throw Ops.ValueError("cannot convert float NaN to integer");
                if (double.IsInfinity(d)) throw Ops.OverflowError("cannot convert float infinity to integer");
                return FloatToInt(Math.Round(d, MidpointRounding.ToEven));
            }
            long n = Ops.IndexValueClamped(nd);
            if (double.IsNaN(d) || double.IsInfinity(d) || d == 0) return xf;
            // CPython's NDIGITS_MAX/NDIGITS_MIN: past them every double is its own rounding, or rounds to a signed zero
            if (n > 323) return xf;
            if (n < -308) return new PyFloat(0.0 * d);
            // correctly rounded: use decimal string of exact value
            var exact = new BigDecimalHelper(d);
            return new PyFloat(exact.RoundTo((int)n));
        }
        throw Ops.TypeError($"type {x.Type.Name} doesn't define __round__ method");
    }

    /// <summary>Rounds a double to n decimal digits with round-half-even on the exact binary value.</summary>
    private readonly struct BigDecimalHelper
    {
        private readonly double _d;
        public BigDecimalHelper(double d) { _d = d; }
        public double RoundTo(int n)
        {
            // exact value = m * 2^e
            long bits = BitConverter.DoubleToInt64Bits(_d);
            bool neg = bits < 0;
            int exp = (int)((bits >> 52) & 0x7FF);
            long mant = bits & 0xFFFFFFFFFFFFFL;
            if (exp == 0) exp++; else mant |= 1L << 52;
            exp -= 1075;
            // value = mant * 2^exp ; scaled = value * 10^n
            BigInteger num = mant, den = 1;
            if (exp > 0) num <<= exp; else den <<= -exp;
            if (n >= 0) num *= BigInteger.Pow(10, n); else den *= BigInteger.Pow(10, -n);
            var q = BigInteger.DivRem(num, den, out var rem);
            var twice = rem * 2;
            if (twice > den || (twice == den && !q.IsEven)) q += 1;
            // q * 10**-n, correctly rounded to a double by the decimal parser
            double r = double.Parse(q.ToString(Inv) + "E" + (-n).ToString(Inv), NumberStyles.Float, Inv);
            if (double.IsInfinity(r)) throw Ops.OverflowError("rounded value too large to represent");
            return neg ? -r : r;
        }
    }
}
