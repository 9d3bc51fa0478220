using System;
using System.Globalization;
using System.Numerics;

namespace Invisible.Python.Runtime;

public sealed class BigBox
{
    public readonly BigInteger V;
    public BigBox(BigInteger v) { V = v; }
}

/// <summary>Arbitrary precision int: a long when it fits, a BigInteger otherwise.</summary>
public class PyInt : PyObject
{
    public static PyType TypeObj = null!;
    public readonly long V;
    public readonly BigBox? BigV;
    private const int CacheMin = -5, CacheMax = 1024;
    private static readonly PyInt[] Cache = MakeCache();
    public static readonly PyInt Zero = Cache[-CacheMin], One = Cache[1 - CacheMin];

    private static PyInt[] MakeCache()
    {
        var c = new PyInt[CacheMax - CacheMin + 1];
        for (int i = 0; i < c.Length; i++) c[i] = new PyInt(i + CacheMin);
        return c;
    }

    protected PyInt(long v) { V = v; }
    private PyInt(BigInteger b) { BigV = new BigBox(b); }
    protected PyInt(PyInt value) { V = value.V; BigV = value.BigV; }

    public static PyInt Get(long v) => v >= CacheMin && v <= CacheMax ? Cache[v - CacheMin] : new PyInt(v);
    public static PyInt Get(int v) => v >= CacheMin && v <= CacheMax ? Cache[v - CacheMin] : new PyInt(v);
    public static PyInt Get(BigInteger b)
    {
        if (b >= long.MinValue && b <= long.MaxValue) return Get((long)b);
        return new PyInt(b);
    }

    public bool IsBig => BigV != null;
    public BigInteger Big => BigV != null ? BigV.V : new BigInteger(V);
    public override PyType Type => TypeObj;
    public override string Repr() => BigV != null ? DecimalDigits(BigV.V) : V.ToString(CultureInfo.InvariantCulture);

    // ---- 3.11's limit on decimal int<->str conversion of huge ints (CPython's Objects/longobject.c, CVE-2020-10735):
    // both directions are quadratic, so they refuse past sys.get_int_max_str_digits() digits, before doing the work.
    /// <summary>CPython's <c>sys.int_info.default_max_str_digits</c>.</summary>
    public const int DefaultMaxStrDigits = 4300;
    /// <summary>CPython's <c>sys.int_info.str_digits_check_threshold</c>: the smallest limit one may set (but 0).</summary>
    public const int MaxStrDigitsThreshold = 640;

    private static int CurrentMaxStrDigits() => Vm.ThreadState.CurrentOrNull?.Interp.IntMaxStrDigits ?? DefaultMaxStrDigits;

    /// <summary>The ValueError (or, with <paramref name="literal"/>, the text of the SyntaxError) int() gives for a decimal
    /// string of <paramref name="digits"/> digits (sign, spaces and underscores not counted) past the limit; null within it.</summary>
    public static string? CheckDecimalDigits(long digits)
    {
        if (digits <= MaxStrDigitsThreshold) return null;
        int max = CurrentMaxStrDigits();
        if (max <= 0 || digits <= max) return null;
        return $"Exceeds the limit ({max} digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit";
    }

    /// <summary>str() of a big int, refusing (ValueError) one with more decimal digits than the limit: a lower bound of
    /// its digit count from its bit length refuses the huge ones before any conversion work.</summary>
    public static string DecimalDigits(BigInteger b)
    {
        int max = CurrentMaxStrDigits();
        if (max > 0)
        {
            long bits = (long)BigInteger.Abs(b).GetBitLength();
            // 2**(bits-1) <= |b|, so |b| has at least floor((bits-1)*log10(2)) + 1 digits (log10(2) rounded down)
            long atLeast = (long)((bits - 1) * 0.30102999566) + 1;
            if (atLeast > max) throw MaxStrDigitsError(max);
        }
        var s = b.ToString(CultureInfo.InvariantCulture);
        int len = b.Sign < 0 ? s.Length - 1 : s.Length;
        if (max > 0 && len > MaxStrDigitsThreshold && len > max) throw MaxStrDigitsError(max);
        return s;
    }

    private static PyException MaxStrDigitsError(int max) =>
        Ops.ValueError($"Exceeds the limit ({max} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit");
    public override bool IsTrue() => BigV != null || V != 0;
    public int Sign => BigV != null ? BigV.V.Sign : Math.Sign(V);

    public const long HashMod = (1L << 61) - 1;
    public override long Hash()
    {
        if (BigV == null)
        {
            if (V >= 0 && V < HashMod) return V;
            if (V < 0 && V > -HashMod) return V == -1 ? -2 : V;
        }
        var b = Big;
        var r = (long)(BigInteger.Abs(b) % HashMod);
        if (b.Sign < 0) r = -r;
        return r == -1 ? -2 : r;
    }

    public double ToDouble()
    {
        if (BigV == null) return V;
        return PyInt.BigToDouble(BigV.V) ?? throw Ops.OverflowError("int too large to convert to float");
    }

    public int ToInt32()
    {
        if (BigV != null || V > int.MaxValue || V < int.MinValue) throw Ops.OverflowError("Python int too large to convert to C int");
        return (int)V;
    }

    public override PyObject? UnaryOp(UnOp op)
    {
        switch (op)
        {
            case Runtime.UnOp.Neg: return BigV == null && V != long.MinValue ? Get(-V) : Get(-Big);
            case Runtime.UnOp.Pos: return GetType() == typeof(PyInt) ? this : Get(Big); // bool and subclasses give an exact int
            default: return BigV == null ? Get(~V) : Get(-Big - 1);
        }
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        int c;
        if (other is PyInt o) c = Compare(this, o);
        else if (other is PyFloat f)
        {
            if (double.IsNaN(f.V)) return op == CmpOp.Ne ? PyBool.True : PyBool.False;
            c = CompareIntFloat(this, f.V);
        }
        else return null;
        return PyBool.Of(Ops.CmpResult(c, op));
    }

    public static int Compare(PyInt a, PyInt b)
    {
        if (a.BigV == null && b.BigV == null) return a.V.CompareTo(b.V);
        return a.Big.CompareTo(b.Big);
    }

    public static int CompareIntFloat(PyInt a, double f)
    {
        if (double.IsPositiveInfinity(f)) return -1;
        if (double.IsNegativeInfinity(f)) return 1;
        if (a.BigV == null && a.V > -(1L << 53) && a.V < (1L << 53)) return ((double)a.V).CompareTo(f);
        var fl = Math.Floor(f);
        var bi = new BigInteger(fl);
        int c = a.Big.CompareTo(bi);
        if (c != 0) return c;
        return fl == f ? 0 : -1;
    }

    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (other is PyInt o) return IntOp(op, this, o);
        if (other is PyFloat f) return PyFloat.FloatOp(op, ToDouble(), f.V);
        if (other is PyComplex c) return PyComplex.ComplexOp(op, new Complex(ToDouble(), 0), c.V);
        return null;
    }

    public override PyObject? RBinOp(BinOp op, PyObject other)
    {
        if (other is PyInt o) return IntOp(op, o, this);
        if (other is PyFloat f) return PyFloat.FloatOp(op, f.V, ToDouble());
        if (other is PyComplex c) return PyComplex.ComplexOp(op, c.V, new Complex(ToDouble(), 0));
        return null;
    }

    public static PyObject IntOp(BinOp op, PyInt a, PyInt b)
    {
        if (a.BigV == null && b.BigV == null)
        {
            long x = a.V, y = b.V;
            switch (op)
            {
                case Runtime.BinOp.Add: { long r = x + y; if (((x ^ r) & (y ^ r)) >= 0) return Get(r); break; }
                case Runtime.BinOp.Sub: { long r = x - y; if (((x ^ y) & (x ^ r)) >= 0) return Get(r); break; }
                case Runtime.BinOp.Mul:
                    {
                        Int128 r = (Int128)x * y;
                        if (r >= long.MinValue && r <= long.MaxValue) return Get((long)r);
                        break;
                    }
                case Runtime.BinOp.FloorDiv:
                    if (y == 0) throw Ops.ZeroDivisionError("integer division or modulo by zero");
                    if (y == -1 && x == long.MinValue) break;
                    return Get(FloorDivL(x, y));
                case Runtime.BinOp.Mod:
                    if (y == 0) throw Ops.ZeroDivisionError("integer modulo by zero");
                    if (y == -1) return Zero;
                    return Get(ModL(x, y));
                case Runtime.BinOp.TrueDiv:
                    if (y == 0) throw Ops.ZeroDivisionError("division by zero");
                    if (Math.Abs(x) < (1L << 53) && Math.Abs(y) < (1L << 53)) return new PyFloat((double)x / y);
                    break;
                case Runtime.BinOp.And: return a is PyBool && b is PyBool ? PyBool.Of((x & y) != 0) : Get(x & y);
                case Runtime.BinOp.Or: return a is PyBool && b is PyBool ? PyBool.Of((x | y) != 0) : Get(x | y);
                case Runtime.BinOp.Xor: return a is PyBool && b is PyBool ? PyBool.Of((x ^ y) != 0) : Get(x ^ y);
                case Runtime.BinOp.LShift:
                    if (y < 0) throw Ops.ValueError("negative shift count");
                    if (x == 0) return Zero;
                    if (y < 63) { long r = x << (int)y; if (r >> (int)y == x) return Get(r); }
                    break;
                case Runtime.BinOp.RShift:
                    if (y < 0) throw Ops.ValueError("negative shift count");
                    return Get(y >= 64 ? (x < 0 ? -1 : 0) : x >> (int)y);
                case Runtime.BinOp.Pow:
                    if (y < 0)
                    {
                        if (x == 0) throw Ops.ZeroDivisionError("0.0 cannot be raised to a negative power");
                        return new PyFloat(Math.Pow(x, y));
                    }
                    {
                        long result = 1, bs = x; long e = y; bool ok = true;
                        while (e > 0)
                        {
                            if ((e & 1) != 0) { Int128 r = (Int128)result * bs; if (r > long.MaxValue || r < long.MinValue) { ok = false; break; } result = (long)r; }
                            e >>= 1;
                            if (e > 0) { Int128 s = (Int128)bs * bs; if (s > long.MaxValue || s < long.MinValue) { ok = false; break; } bs = (long)s; }
                        }
                        if (ok) return Get(result);
                    }
                    break;
                case Runtime.BinOp.MatMul: throw Ops.TypeError("unsupported operand type(s) for @: 'int' and 'int'");
            }
        }
        return BigOp(op, a.Big, b.Big, a is PyBool && b is PyBool);
    }

    public static long FloorDivL(long x, long y)
    {
        long q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
        return q;
    }

    public static long ModL(long x, long y)
    {
        long r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
    }

    private static PyObject BigOp(BinOp op, BigInteger x, BigInteger y, bool bools)
    {
        switch (op)
        {
            case Runtime.BinOp.Add: return Get(x + y);
            case Runtime.BinOp.Sub: return Get(x - y);
            case Runtime.BinOp.Mul: return Get(x * y);
            case Runtime.BinOp.FloorDiv:
                {
                    if (y.IsZero) throw Ops.ZeroDivisionError("integer division or modulo by zero");
                    var q = BigInteger.DivRem(x, y, out var r);
                    if (!r.IsZero && ((r.Sign < 0) != (y.Sign < 0))) q -= 1;
                    return Get(q);
                }
            case Runtime.BinOp.Mod:
                {
                    if (y.IsZero) throw Ops.ZeroDivisionError("integer modulo by zero");
                    var r = BigInteger.Remainder(x, y);
                    if (!r.IsZero && ((r.Sign < 0) != (y.Sign < 0))) r += y;
                    return Get(r);
                }
            case Runtime.BinOp.TrueDiv:
                {
                    if (y.IsZero) throw Ops.ZeroDivisionError("division by zero");
                    return new PyFloat(BigTrueDiv(x, y));
                }
            case Runtime.BinOp.And: return bools ? PyBool.Of(!(x & y).IsZero) : Get(x & y);
            case Runtime.BinOp.Or: return bools ? PyBool.Of(!(x | y).IsZero) : Get(x | y);
            case Runtime.BinOp.Xor: return bools ? PyBool.Of(!(x ^ y).IsZero) : Get(x ^ y);
            case Runtime.BinOp.LShift:
                if (y.Sign < 0) throw Ops.ValueError("negative shift count");
                if (x.IsZero) return Zero;
                if (y > int.MaxValue) throw Ops.OverflowError("too many digits in integer");
                return Get(x << (int)y);
            case Runtime.BinOp.RShift:
                if (y.Sign < 0) throw Ops.ValueError("negative shift count");
                if (y > 100000) return Get(x.Sign < 0 ? -1 : 0);
                return Get(x >> (int)y);
            case Runtime.BinOp.Pow:
                if (y.Sign < 0) return new PyFloat(Math.Pow((double)x, (double)y));
                if (y > int.MaxValue) throw Ops.OverflowError("exponent too large");
                return Get(BigInteger.Pow(x, (int)y));
        }
        throw Ops.TypeError("unsupported operand type(s)");
    }

    /// <summary>x / y correctly rounded (CPython's long_true_divide): the quotient is computed to 2 or 3 bits past
    /// the double's precision (more where the result is subnormal), the remainder and the shifted-out bits folded
    /// into a sticky bit, then rounded half-to-even once. Dividing the doubles, or rounding a 64-bit quotient and
    /// then scaling, rounds twice and is off by one ulp for some operands (statistics' Fraction results).</summary>
    private static double BigTrueDiv(BigInteger x, BigInteger y)
    {
        const int MantDig = 53, MinExp = -1021, MaxExp = 1024;
        bool neg = (x.Sign < 0) != (y.Sign < 0);
        x = BigInteger.Abs(x); y = BigInteger.Abs(y);
        if (x.IsZero) return neg ? -0.0 : 0.0;
        long diff = (long)x.GetBitLength() - (long)y.GetBitLength();
        if (diff > MaxExp) throw Ops.OverflowError("integer division result too large for a float");
        if (diff < MinExp - MantDig - 1) return neg ? -0.0 : 0.0;
        long shift = Math.Max(diff, MinExp) - MantDig - 2;
        bool inexact = false;
        if (shift <= 0) x <<= (int)-shift;
        else
        {
            inexact = x.IsZero == false && (long)BigInteger.TrailingZeroCount(x) < shift;
            x >>= (int)shift;
        }
        var q = BigInteger.DivRem(x, y, out var r);
        if (!r.IsZero) inexact = true;
        ulong qv = (ulong)q; // at most MantDig + 3 bits
        int qBits = 64 - BitOperations.LeadingZeroCount(qv);
        int extraBits = (int)Math.Max(qBits, MinExp - shift) - MantDig;
        ulong mask = 1UL << (extraBits - 1);
        ulong low = qv | (inexact ? 1UL : 0UL);
        if ((low & mask) != 0 && (low & (3 * mask - 1)) != 0) low += mask;
        qv = low & ~(2 * mask - 1);
        double dx = qv; // exact: at most MantDig significant bits
        if (shift + qBits >= MaxExp && (shift + qBits > MaxExp || dx == Math.ScaleB(1.0, qBits)))
            throw Ops.OverflowError("integer division result too large for a float");
        double result = Math.ScaleB(dx, (int)shift);
        return neg ? -result : result;
    }

    /// <summary>The int as the nearest double, ties to even (CPython's PyLong_AsDouble); .NET's BigInteger-to-double
    /// conversion truncates past 64 bits instead of rounding. Null when the result does not fit a double.</summary>
    public static double? BigToDouble(BigInteger x)
    {
        bool neg = x.Sign < 0;
        if (neg) x = -x;
        long bits = (long)x.GetBitLength();
        if (bits <= 63) return neg ? -(double)(long)x : (double)(long)x;
        // keep 55 significant bits and fold the rest into a sticky bit 0: one correct rounding to 53 bits
        int shift = (int)(bits - 55);
        ulong top = (ulong)(x >> shift);
        if ((long)BigInteger.TrailingZeroCount(x) < shift) top |= 1;
        double d = Math.ScaleB((double)(long)top, shift);
        if (double.IsInfinity(d)) return null;
        return neg ? -d : d;
    }

}

public sealed class PyBool : PyInt
{
    public static new PyType TypeObj = null!;
    public static readonly PyBool True = new(1), False = new(0);
    private PyBool(long v) : base(v) { }
    public static PyBool Of(bool b) => b ? True : False;
    public override PyType Type => TypeObj;
    public override string Repr() => V != 0 ? "True" : "False";
}

public class PyFloat : PyObject
{
    public static PyType TypeObj = null!;
    public readonly double V;
    public PyFloat(double v) { V = v; }
    public override PyType Type => TypeObj;
    public override string Repr() => Formatting.FloatRepr(V);
    public override bool IsTrue() => V != 0;

    public override long Hash() => HashDouble(V, this);

    public static long HashDouble(double v, PyObject? self)
    {
        if (double.IsNaN(v)) return self == null ? 0 : Ops.Id(self) >> 4;
        if (double.IsInfinity(v)) return v > 0 ? 314159 : -314159;
        const ulong P = (1UL << 61) - 1;
        double m = Frexp(v, out int e);
        int sign = 1;
        if (m < 0) { sign = -1; m = -m; }
        ulong x = 0;
        while (m != 0)
        {
            x = ((x << 28) & P) | x >> (61 - 28);
            m *= 268435456.0;
            e -= 28;
            ulong y = (ulong)m;
            m -= y;
            x += y;
            if (x >= P) x -= P;
        }
        e = e >= 0 ? e % 61 : 61 - 1 - ((-1 - e) % 61);
        x = ((x << e) & P) | x >> (61 - e);
        long r = (long)x * sign;
        return r == -1 ? -2 : r;
    }

    public static double Frexp(double d, out int e)
    {
        if (d == 0 || double.IsNaN(d) || double.IsInfinity(d)) { e = 0; return d; }
        long bits = BitConverter.DoubleToInt64Bits(d);
        int exp = (int)((bits >> 52) & 0x7FF);
        if (exp == 0)
        {
            d *= Math.Pow(2, 54);
            bits = BitConverter.DoubleToInt64Bits(d);
            exp = (int)((bits >> 52) & 0x7FF) - 54;
        }
        e = exp - 1022;
        bits = (bits & unchecked((long)0x800FFFFFFFFFFFFFL)) | (1022L << 52);
        return BitConverter.Int64BitsToDouble(bits);
    }

    public override PyObject? UnaryOp(UnOp op) => op switch
    {
        Runtime.UnOp.Neg => new PyFloat(-V),
        Runtime.UnOp.Pos => GetType() == typeof(PyFloat) ? this : new PyFloat(V),
        _ => null,
    };

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is PyFloat f) return PyBool.Of(op switch
        {
            CmpOp.Lt => V < f.V, CmpOp.Le => V <= f.V, CmpOp.Eq => V == f.V,
            CmpOp.Ne => V != f.V, CmpOp.Gt => V > f.V, _ => V >= f.V,
        });
        if (other is PyInt i)
        {
            if (double.IsNaN(V)) return op == CmpOp.Ne ? PyBool.True : PyBool.False;
            return PyBool.Of(Ops.CmpResult(-PyInt.CompareIntFloat(i, V), op));
        }
        return null;
    }

    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (other is PyFloat f) return FloatOp(op, V, f.V);
        if (other is PyInt i) return FloatOp(op, V, i.ToDouble());
        if (other is PyComplex c) return PyComplex.ComplexOp(op, new Complex(V, 0), c.V);
        return null;
    }

    public override PyObject? RBinOp(BinOp op, PyObject other)
    {
        if (other is PyInt i) return FloatOp(op, i.ToDouble(), V);
        if (other is PyComplex c) return PyComplex.ComplexOp(op, c.V, new Complex(V, 0));
        return null;
    }

    public static PyObject FloatOp(BinOp op, double x, double y)
    {
        switch (op)
        {
            case Runtime.BinOp.Add: return new PyFloat(x + y);
            case Runtime.BinOp.Sub: return new PyFloat(x - y);
            case Runtime.BinOp.Mul: return new PyFloat(x * y);
            case Runtime.BinOp.TrueDiv:
                if (y == 0) throw Ops.ZeroDivisionError("float division by zero");
                return new PyFloat(x / y);
            case Runtime.BinOp.FloorDiv:
                if (y == 0) throw Ops.ZeroDivisionError("float floor division by zero");
                return new PyFloat(FloorDivD(x, y));
            case Runtime.BinOp.Mod:
                if (y == 0) throw Ops.ZeroDivisionError("float modulo");
                return new PyFloat(ModD(x, y));
            case Runtime.BinOp.Pow:
                // C99 F.9.4.4 special cases first (CPython's float_pow): x**0 and 1**y are 1 even for a NaN
                if (y == 0) return new PyFloat(1.0);
                if (double.IsNaN(x)) return new PyFloat(x);
                if (double.IsNaN(y)) return new PyFloat(x == 1.0 ? 1.0 : y);
                if (double.IsFinite(x) && double.IsFinite(y))
                {
                    if (x == 0 && y < 0) throw Ops.ZeroDivisionError("0.0 cannot be raised to a negative power");
                    if (x < 0 && y != Math.Floor(y)) return PyComplex.ComplexOp(op, new Complex(x, 0), new Complex(y, 0))!;
                }
                {
                    var r = Math.Pow(x, y);
                    if (double.IsInfinity(r) && !double.IsInfinity(x) && !double.IsInfinity(y)) throw Ops.OverflowError("(34, 'Numerical result out of range')");
                    return new PyFloat(r);
                }
        }
        throw Ops.TypeError($"unsupported operand type(s) for {Ops.OpSymbol(op)}: 'float' and 'float'");
    }

    public static double ModD(double x, double y)
    {
        double mod = x % y;
        if (mod != 0) { if ((y < 0) != (mod < 0)) mod += y; }
        else mod = Math.CopySign(0.0, y);
        return mod;
    }

    public static double FloorDivD(double x, double y)
    {
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1.0;
        if (div != 0)
        {
            double fl = Math.Floor(div);
            if (div - fl > 0.5) fl += 1.0;
            return fl;
        }
        return Math.CopySign(0.0, x / y);
    }
}

public class PyComplex : PyObject
{
    public static PyType TypeObj = null!;
    public readonly Complex V;
    public PyComplex(Complex v) { V = v; }
    public override PyType Type => TypeObj;
    public override bool IsTrue() => V != Complex.Zero;
    public override long Hash()
    {
        long hr = PyFloat.HashDouble(V.Real, null), hi = PyFloat.HashDouble(V.Imaginary, null);
        long r = unchecked(hr + 1000003L * hi);
        return r == -1 ? -2 : r;
    }
    public override string Repr()
    {
        string Fmt(double d) => Formatting.FloatReprNoDot(d);
        if (V.Real == 0 && !double.IsNegative(V.Real)) return Fmt(V.Imaginary) + "j";
        var im = V.Imaginary;
        string sign = im < 0 || (im == 0 && double.IsNegative(im)) ? "-" : "+";
        return "(" + Fmt(V.Real) + sign + Fmt(Math.Abs(im)) + "j)";
    }
    public override PyObject? UnaryOp(UnOp op) => op switch
    {
        Runtime.UnOp.Neg => new PyComplex(-V),
        Runtime.UnOp.Pos => this,
        _ => null,
    };
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        // CPython's complex_richcompare: only == and !=; an int is compared exactly with the real part
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        bool equal;
        if (other is PyInt i)
            equal = V.Imaginary == 0 && new PyFloat(V.Real).RichCompare(i, CmpOp.Eq) == PyBool.True;
        else if (other is PyFloat f) equal = V.Real == f.V && V.Imaginary == 0;
        else if (other is PyComplex c) equal = V.Real == c.V.Real && V.Imaginary == c.V.Imaginary;
        else return null;
        return PyBool.Of(op == CmpOp.Eq ? equal : !equal);
    }
    static Complex? Coerce(PyObject o) => o switch
    {
        PyComplex c => c.V,
        PyFloat f => new Complex(f.V, 0),
        PyInt i => new Complex(ToDoubleChecked(i), 0),
        _ => null,
    };
    private static double ToDoubleChecked(PyInt i)
    {
        double d = i.ToDouble();
        if (double.IsInfinity(d)) throw Ops.Exc(PyBaseException.All["OverflowError"], "int too large to convert to float");
        return d;
    }
    public override PyObject? BinOp(BinOp op, PyObject other) { var o = Coerce(other); return o == null ? null : ComplexOp(op, V, o.Value); }
    public override PyObject? RBinOp(BinOp op, PyObject other) { var o = Coerce(other); return o == null ? null : ComplexOp(op, o.Value, V); }

    /// <summary>abs(z): hypot, OverflowError when finite parts give an infinity (complex_abs).</summary>
    public static double Abs(Complex z)
    {
        double re = z.Real, im = z.Imaginary;
        if (double.IsInfinity(re) || double.IsInfinity(im)) return double.PositiveInfinity;
        if (double.IsNaN(re) || double.IsNaN(im)) return double.NaN;
        double r = double.Hypot(re, im);
        if (double.IsInfinity(r)) throw Ops.Exc(PyBaseException.All["OverflowError"], "absolute value too large");
        return r;
    }

    private static Complex Prod(Complex a, Complex b) => new(a.Real * b.Real - a.Imaginary * b.Imaginary, a.Real * b.Imaginary + a.Imaginary * b.Real);

    /// <summary>_Py_c_quot: Smith's method as CPython writes it (its NaN and zero cases); null: division by zero.</summary>
    public static Complex? Quot(Complex a, Complex b)
    {
        double absBr = Math.Abs(b.Real), absBi = Math.Abs(b.Imaginary);
        if (absBr >= absBi)
        {
            if (absBr == 0.0) return null;
            double ratio = b.Imaginary / b.Real, denom = b.Real + b.Imaginary * ratio;
            return new Complex((a.Real + a.Imaginary * ratio) / denom, (a.Imaginary - a.Real * ratio) / denom);
        }
        if (absBi >= absBr)
        {
            double ratio = b.Real / b.Imaginary, denom = b.Real * ratio + b.Imaginary;
            return new Complex((a.Real * ratio + a.Imaginary) / denom, (a.Imaginary * ratio - a.Real) / denom);
        }
        return new Complex(double.NaN, double.NaN);   // a part of b is a NaN
    }

    public static PyObject? ComplexOp(BinOp op, Complex x, Complex y)
    {
        switch (op)
        {
            case Runtime.BinOp.Add: return new PyComplex(new Complex(x.Real + y.Real, x.Imaginary + y.Imaginary));
            case Runtime.BinOp.Sub: return new PyComplex(new Complex(x.Real - y.Real, x.Imaginary - y.Imaginary));
            case Runtime.BinOp.Mul: return new PyComplex(Prod(x, y));
            case Runtime.BinOp.TrueDiv:
                return new PyComplex(Quot(x, y) ?? throw Ops.ZeroDivisionError("complex division by zero"));
            case Runtime.BinOp.Pow:
                return new PyComplex(Pow(x, y));
        }
        return null;
    }

    /// <summary>complex_pow: small integral exponents by repeated squaring (c_powi), others by _Py_c_pow; CPython's
    /// ZeroDivisionError and OverflowError.</summary>
    public static Complex Pow(Complex a, Complex b)
    {
        Complex p;
        bool domain = false;
        if (b.Imaginary == 0.0 && b.Real == Math.Floor(b.Real) && Math.Abs(b.Real) <= 100.0)
        {
            long n = (long)b.Real;
            if (n > 0) p = PowU(a, n);
            else
            {
                var q = Quot(Complex.One, PowU(a, -n));
                if (q == null) { domain = true; p = Complex.Zero; }
                else p = q.Value;
            }
        }
        else if (b.Real == 0.0 && b.Imaginary == 0.0) p = Complex.One;
        else if (a.Real == 0.0 && a.Imaginary == 0.0)
        {
            if (b.Imaginary != 0.0 || b.Real < 0.0) domain = true;
            p = Complex.Zero;
        }
        else
        {
            double vabs = double.Hypot(a.Real, a.Imaginary);
            double len = Math.Pow(vabs, b.Real);
            double at = Math.Atan2(a.Imaginary, a.Real);
            double phase = at * b.Real;
            if (b.Imaginary != 0.0)
            {
                len /= Math.Exp(at * b.Imaginary);
                phase += b.Imaginary * Math.Log(vabs);
            }
            p = new Complex(len * Math.Cos(phase), len * Math.Sin(phase));
        }
        if (domain) throw Ops.ZeroDivisionError("0.0 to a negative or complex power");
        if (double.IsInfinity(p.Real) || double.IsInfinity(p.Imaginary))
            throw Ops.Exc(PyBaseException.All["OverflowError"], "complex exponentiation");
        return p;
    }

    private static Complex PowU(Complex x, long n)
    {
        Complex r = Complex.One, p = x;
        for (long mask = 1; mask > 0 && n >= mask; mask <<= 1)
        {
            if ((n & mask) != 0) r = Prod(r, p);
            p = Prod(p, p);
        }
        return r;
    }
}
