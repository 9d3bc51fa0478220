using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

public static partial class MathModule
{
    private static double D(PyObject o) => TypeMethods.ToDouble(o);
    private static PyException Domain() => Ops.ValueError("math domain error");
    private static PyObject F(double d)
    {
        if (double.IsNaN(d)) throw Domain();
        return new PyFloat(d);
    }
    private static PyObject FR(double d, double x)
    {
        if (double.IsInfinity(d) && !double.IsInfinity(x)) throw Ops.OverflowError("math range error");
        if (double.IsNaN(d) && !double.IsNaN(x)) throw Domain();
        return new PyFloat(d);
    }

    // CPython's calling conventions of the functions above (METH_O, _PyArg_CheckPositional, math.log's own): the
    // bodies index their arguments directly, so the count and keywords are checked first, with CPython's texts.
    private static readonly string[] OneArg = {
        "sqrt", "exp", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
        "acosh", "atanh", "degrees", "radians", "floor", "ceil", "trunc", "isfinite", "isinf", "isnan", "modf", "frexp",
        "factorial", "fabs", "fsum", "isqrt", "erf", "erfc", "gamma", "lgamma", "expm1", "log1p", "cbrt", "exp2", "ulp" };
    private static readonly string[] TwoArgs = { "atan2", "copysign", "fmod", "remainder", "ldexp", "dist", "pow", "comb", "nextafter" };
    private static readonly ArgParser IsCloseArgs = new("isclose", "a, b, /, *, rel_tol=1e-09, abs_tol=0.0");
    private static readonly ArgParser ProdArgs = new("prod", "iterable, /, *, start=1");
    private static readonly string[] VarArgs = { "gcd", "lcm", "hypot" };

    private static void CheckArity(PyModule m)
    {
        void Wrap(string name, Action<ReadOnlySpan<PyObject>, PyStr[]?> check)
        {
            if (m.ModDict.GetOrNull(name) is not PyBuiltinFunction f) return;
            var inner = f.Fn;
            m.AddFn(name, (a, k) => { check(a, k); return inner(a, k); });
        }
        static void NoKw(PyStr[]? k, string qual) { if (k != null && k.Length > 0) throw Ops.TypeError($"{qual}() takes no keyword arguments"); }
        foreach (var n in OneArg)
        {
            string qual = "math." + n;
            Wrap(n, (a, k) => { NoKw(k, qual); if (a.Length != 1) throw Ops.TypeError($"{qual}() takes exactly one argument ({a.Length} given)"); });
        }
        foreach (var n in TwoArgs)
        {
            string name = n, qual = "math." + n;
            Wrap(n, (a, k) => { NoKw(k, qual); if (a.Length != 2) throw Ops.TypeError($"{name} expected 2 arguments, got {a.Length}"); });
        }
        foreach (var n in VarArgs)
        {
            string qual = "math." + n;
            Wrap(n, (a, k) => NoKw(k, qual));
        }
        Wrap("perm", (a, k) =>
        {
            NoKw(k, "math.perm");
            if (a.Length < 1) throw Ops.TypeError("perm expected at least 1 argument, got 0");
            if (a.Length > 2) throw Ops.TypeError($"perm expected at most 2 arguments, got {a.Length}");
        });
        Wrap("log", (a, k) =>
        {
            NoKw(k, "log");
            if (a.Length < 1 || a.Length > 2) throw Ops.TypeError("math.log requires 1 to 2 arguments");
        });
    }

    public static PyModule Create()
    {
        var m = new PyModule("math");
        AddSpecialFunctions(m);
        m.Add("pi", new PyFloat(Math.PI)); m.Add("e", new PyFloat(Math.E)); m.Add("tau", new PyFloat(Math.Tau));
        m.Add("inf", new PyFloat(double.PositiveInfinity)); m.Add("nan", new PyFloat(TypeMethods.PositiveNaN));
        m.AddFn("sqrt", (a, k) => { var x = D(a[0]); if (x < 0) throw Domain(); return new PyFloat(Math.Sqrt(x)); });
        m.AddFn("exp", (a, k) => { var x = D(a[0]); return FR(Math.Exp(x), x); });
        m.AddFn("log", (a, k) =>
        {
            double Ln(PyObject o)
            {
                if (o is PyInt i && i.IsBig) { if (i.Sign <= 0) throw Domain(); return BigInteger.Log(i.Big); }
                var x = D(o);
                if (x <= 0) throw Domain();
                return Math.Log(x);
            }
            if (a.Length > 1) { var b = Ln(a[1]); if (b == 0) throw Ops.ZeroDivisionError("float division by zero"); return new PyFloat(Ln(a[0]) / b); }
            return new PyFloat(Ln(a[0]));
        });
        m.AddFn("log2", (a, k) => { if (a[0] is PyInt i && i.IsBig) return new PyFloat(BigInteger.Log(i.Big, 2)); var x = D(a[0]); if (x <= 0) throw Domain(); return new PyFloat(Math.Log2(x)); });
        m.AddFn("log10", (a, k) => { if (a[0] is PyInt i && i.IsBig) return new PyFloat(BigInteger.Log10(i.Big)); var x = D(a[0]); if (x <= 0) throw Domain(); return new PyFloat(Math.Log10(x)); });
        m.AddFn("pow", (a, k) =>
        {
            double x = D(a[0]), y = D(a[1]);
            if (x == 0 && y < 0) throw Domain();
            if (x < 0 && y != Math.Floor(y) && !double.IsInfinity(y)) throw Domain();
            return FR(Math.Pow(x, y), x + y);
        });
        foreach (var (name, fn) in new (string, Func<double, double>)[] {
            ("sin", Math.Sin), ("cos", Math.Cos), ("tan", Math.Tan), ("atan", Math.Atan), ("sinh", Math.Sinh), ("cosh", Math.Cosh),
            ("tanh", Math.Tanh), ("asinh", Math.Asinh), ("fabs", Math.Abs) })
        {
            var f = fn;
            m.AddFn(name, (a, k) => { var x = D(a[0]); if (double.IsInfinity(x) && (name == "sin" || name == "cos" || name == "tan")) throw Domain(); return FR(f(x), x); });
        }
        m.AddFn("asin", (a, k) => { var x = D(a[0]); if (x < -1 || x > 1) throw Domain(); return new PyFloat(Math.Asin(x)); });
        m.AddFn("acos", (a, k) => { var x = D(a[0]); if (x < -1 || x > 1) throw Domain(); return new PyFloat(Math.Acos(x)); });
        m.AddFn("acosh", (a, k) => { var x = D(a[0]); if (x < 1) throw Domain(); return new PyFloat(Math.Acosh(x)); });
        m.AddFn("atanh", (a, k) => { var x = D(a[0]); if (x <= -1 || x >= 1) throw Domain(); return new PyFloat(Math.Atanh(x)); });
        m.AddFn("atan2", (a, k) => new PyFloat(Math.Atan2(D(a[0]), D(a[1]))));
        m.AddFn("hypot", (a, k) => { double s = 0; foreach (var x in a) { var d = D(x); s += d * d; } return new PyFloat(a.Length == 2 ? Hypot(D(a[0]), D(a[1])) : Math.Sqrt(s)); });
        m.AddFn("dist", (a, k) => { var p = Ops.ToArray(a[0]); var q = Ops.ToArray(a[1]); double s = 0; if (p.Length != q.Length) throw Ops.ValueError("both points must have the same number of dimensions"); for (int i = 0; i < p.Length; i++) { var d = D(p[i]) - D(q[i]); s += d * d; } return new PyFloat(Math.Sqrt(s)); });
        m.AddFn("degrees", (a, k) => new PyFloat(D(a[0]) * (180.0 / Math.PI)));
        m.AddFn("radians", (a, k) => new PyFloat(D(a[0]) * (Math.PI / 180.0)));
        m.AddFn("floor", (a, k) => RoundTo(a[0], "__floor__", Math.Floor));
        m.AddFn("ceil", (a, k) => RoundTo(a[0], "__ceil__", Math.Ceiling));
        m.AddFn("trunc", (a, k) => RoundTo(a[0], "__trunc__", Math.Truncate));
        m.AddFn("isfinite", (a, k) => PyBool.Of(double.IsFinite(D(a[0]))));
        m.AddFn("isinf", (a, k) => PyBool.Of(double.IsInfinity(D(a[0]))));
        m.AddFn("isnan", (a, k) => PyBool.Of(double.IsNaN(D(a[0]))));
        m.AddFn("copysign", (a, k) => new PyFloat(Math.CopySign(D(a[0]), D(a[1]))));
        m.AddFn("fmod", (a, k) => { double x = D(a[0]), y = D(a[1]); if (y == 0 || double.IsInfinity(x)) throw Domain(); return new PyFloat(x % y); });
        m.AddFn("remainder", (a, k) => new PyFloat(Math.IEEERemainder(D(a[0]), D(a[1]))));
        m.AddFn("modf", (a, k) => { var x = D(a[0]); var ip = Math.Truncate(x); return new PyTuple(new PyObject[] { new PyFloat(double.IsInfinity(x) ? Math.CopySign(0, x) : x - ip), new PyFloat(ip) }); });
        m.AddFn("frexp", (a, k) => { var mm = PyFloat.Frexp(D(a[0]), out int e); return new PyTuple(new PyObject[] { new PyFloat(mm), PyInt.Get(e) }); });
        m.AddFn("ldexp", (a, k) => { var x = D(a[1] is PyInt ? a[0] : throw Ops.TypeError("Expected an int as second argument to ldexp.")); return FR(x * Math.Pow(2, Ops.IndexValue(a[1])), x); });
        m.AddFn("factorial", (a, k) =>
        {
            if (a[0] is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
            long n = Ops.IndexValue(a[0]);
            if (n < 0) throw Ops.ValueError("factorial() not defined for negative values");
            BigInteger r = BigInteger.One;
            for (long i = 2; i <= n; i++) r *= i;
            return PyInt.Get(r);
        });
        m.AddFn("gcd", (a, k) => { BigInteger g = 0; foreach (var x in a) g = BigInteger.GreatestCommonDivisor(g, ((PyInt)Ops.Index(x)).Big); return PyInt.Get(g); });
        m.AddFn("lcm", (a, k) =>
        {
            BigInteger l = 1;
            foreach (var x in a) { var v = BigInteger.Abs(((PyInt)Ops.Index(x)).Big); if (v.IsZero) return PyInt.Zero; l = l / BigInteger.GreatestCommonDivisor(l, v) * v; }
            return PyInt.Get(l);
        });
        m.AddFn("isqrt", (a, k) =>
        {
            var n = ((PyInt)Ops.Index(a[0])).Big;
            if (n.Sign < 0) throw Ops.ValueError("isqrt() argument must be nonnegative");
            return PyInt.Get(ISqrt(n));
        });
        m.AddFn("comb", (a, k) =>
        {
            var n = ((PyInt)Ops.Index(a[0])).Big; var r = ((PyInt)Ops.Index(a[1])).Big;
            if (n.Sign < 0 || r.Sign < 0) throw Ops.ValueError("n must be a non-negative integer");
            if (r > n) return PyInt.Zero;
            if (r > n - r) r = n - r;
            BigInteger res = 1;
            for (BigInteger i = 1; i <= r; i++) res = res * (n - r + i) / i;
            return PyInt.Get(res);
        });
        m.AddFn("perm", (a, k) =>
        {
            var n = ((PyInt)Ops.Index(a[0])).Big;
            var r = a.Length > 1 && a[1] != PyNone.Instance ? ((PyInt)Ops.Index(a[1])).Big : n;
            if (r > n) return PyInt.Zero;
            BigInteger res = 1;
            for (BigInteger i = n - r + 1; i <= n; i++) res *= i;
            return PyInt.Get(res);
        });
        m.AddFn("isclose", (a, k) =>
        {
            var args = IsCloseArgs.Parse(a, k);
            double x = D(args[0]!), y = D(args[1]!);
            double rt = args[2] is PyObject r ? D(r) : 1e-9;
            double at = args[3] is PyObject t ? D(t) : 0;
            if (rt < 0 || at < 0) throw Ops.ValueError("tolerances must be non-negative");
            if (x == y) return PyBool.True;
            if (double.IsInfinity(x) || double.IsInfinity(y)) return PyBool.False;
            double diff = Math.Abs(y - x);
            return PyBool.Of(diff <= Math.Abs(rt * y) || diff <= Math.Abs(rt * x) || diff <= at);
        });
        m.AddFn("fsum", (a, k) =>
        {
            // Neumaier summation with exact partials (Shewchuk)
            var partials = new System.Collections.Generic.List<double>();
            foreach (var o in Ops.ToArray(a[0]))
            {
                double x = D(o);
                int i = 0;
                foreach (var yv in partials.ToArray())
                {
                    double y = yv;
                    if (Math.Abs(x) < Math.Abs(y)) (x, y) = (y, x);
                    double hi = x + y, lo = y - (hi - x);
                    if (lo != 0) partials[i++] = lo;
                    x = hi;
                }
                partials.RemoveRange(i, partials.Count - i);
                partials.Add(x);
            }
            double sum = 0;
            for (int j = partials.Count - 1; j >= 0; j--) sum += partials[j];
            return new PyFloat(sum);
        });
        m.AddFn("prod", (a, k) =>
        {
            var args = ProdArgs.Parse(a, k);
            PyObject acc = args[1] ?? PyInt.One;
            foreach (var x in Ops.ToArray(args[0]!)) acc = Ops.BinaryOp(acc, x, BinOp.Mul);
            return acc;
        });
        CheckArity(m);
        return m;
    }

    private static double Hypot(double x, double y)
    {
        x = Math.Abs(x); y = Math.Abs(y);
        if (double.IsInfinity(x) || double.IsInfinity(y)) return double.PositiveInfinity;
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double r = y / x;
        return x * Math.Sqrt(1 + r * r);
    }

    public static BigInteger ISqrt(BigInteger n)
    {
        if (n < 2) return n;
        var x = (BigInteger)Math.Sqrt((double)n);
        while (x * x > n) x--;
        while ((x + 1) * (x + 1) <= n) x++;
        if (n > new BigInteger(1e30))
        {
            // Newton refinement for big values
            x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
            while (true) { var y = (x + n / x) >> 1; if (y >= x) break; x = y; }
        }
        return x;
    }

    private static PyObject RoundTo(PyObject o, string dunder, Func<double, double> f)
    {
        if (o is PyInt i) return PyInt.Get(i.Big);
        if (o is PyFloat fl)
        {
            var r = f(fl.V);
            return TypeMethods.FloatToInt(r);
        }
        var m = Ops.CallSpecial(o, PyStr.Intern(dunder));
        if (m != null) return m;
        return TypeMethods.FloatToInt(f(D(o)));
    }

    // ---------------- CPython 3.11's functions that need libm or CPython's own algorithms ----------------

    // glibc's libm: CPython 3.11 calls these directly (erf, erfc, expm1, log1p, cbrt, exp2), so their results are
    // bit-identical to CPython's only through the same library
    private const string LibM = "libm.so.6";
    [LibraryImport(LibM, EntryPoint = "erf")] private static partial double LibmErf(double x);
    [LibraryImport(LibM, EntryPoint = "erfc")] private static partial double LibmErfc(double x);
    [LibraryImport(LibM, EntryPoint = "expm1")] private static partial double LibmExpm1(double x);
    [LibraryImport(LibM, EntryPoint = "log1p")] private static partial double LibmLog1p(double x);
    [LibraryImport(LibM, EntryPoint = "cbrt")] private static partial double LibmCbrt(double x);
    [LibraryImport(LibM, EntryPoint = "exp2")] private static partial double LibmExp2(double x);

    private static readonly ArgParser ErfArgs = new("math.erf", "x, /"), ErfcArgs = new("math.erfc", "x, /"),
        Expm1Args = new("math.expm1", "x, /"), Log1pArgs = new("math.log1p", "x, /"), CbrtArgs = new("math.cbrt", "x, /"),
        Exp2Args = new("math.exp2", "x, /"), GammaArgs = new("math.gamma", "x, /"), LgammaArgs = new("math.lgamma", "x, /"),
        UlpArgs = new("math.ulp", "x, /"), NextafterArgs = new("nextafter", "x, y, /");

    private static void AddSpecialFunctions(PyModule m)
    {
        m.AddFn("erf", (a, k) => new PyFloat(LibmErf(ErfArgs.Parse(a, k).Double(0))));
        m.AddFn("erfc", (a, k) => new PyFloat(LibmErfc(ErfcArgs.Parse(a, k).Double(0))));
        m.AddFn("cbrt", (a, k) => new PyFloat(LibmCbrt(CbrtArgs.Parse(a, k).Double(0))));
        m.AddFn("exp2", (a, k) => { double x = Exp2Args.Parse(a, k).Double(0); return Checked(LibmExp2(x), x, true); });
        m.AddFn("gamma", (a, k) => new PyFloat(Gamma(GammaArgs.Parse(a, k).Double(0))));
        m.AddFn("lgamma", (a, k) => new PyFloat(LogGamma(LgammaArgs.Parse(a, k).Double(0))));
        m.AddFn("ulp", (a, k) => new PyFloat(Ulp(UlpArgs.Parse(a, k).Double(0))));
        m.AddFn("nextafter", (a, k) =>
        {
            ArgParser.NoKeywords("math.nextafter", k);   // CPython names the module here, not in the count errors
            var args = NextafterArgs.Parse(a, k);
            return new PyFloat(NextAfter(args.Double(0), args.Double(1)));
        });
        // libm's, as CPython's
        m.AddFn("expm1", (a, k) => { double x = Expm1Args.Parse(a, k).Double(0); return Checked(LibmExpm1(x), x, true); });
        m.AddFn("log1p", (a, k) => { double x = Log1pArgs.Parse(a, k).Double(0); return Checked(LibmLog1p(x), x, false); });
    }

    /// <summary>CPython's math_1 result check: a NaN from a non-NaN is a domain error; an infinity from a finite
    /// argument is a range error (overflow) or a domain error (a pole).</summary>
    private static PyFloat Checked(double r, double x, bool canOverflow)
    {
        if (double.IsNaN(r) && !double.IsNaN(x)) throw Domain();
        if (double.IsInfinity(r) && double.IsFinite(x))
            throw canOverflow ? Ops.OverflowError("math range error") : Domain();
        return new PyFloat(r);
    }

    private static double NextAfter(double x, double y)
    {
        if (double.IsNaN(x)) return x;
        if (double.IsNaN(y)) return y;
        if (x == y) return y;
        return x < y ? Math.BitIncrement(x) : Math.BitDecrement(x);
    }

    private static double Ulp(double x)
    {
        if (double.IsNaN(x)) return x;
        x = Math.Abs(x);
        if (double.IsInfinity(x)) return x;
        double up = Math.BitIncrement(x);
        if (double.IsInfinity(up)) return x - Math.BitDecrement(x);
        return up - x;
    }

    // Gamma and its logarithm: Lanczos' approximation with g = 6.024680040776729583740234375 and 13 terms, the
    // published coefficients of the rational form (numerator, and the denominator x(x+1)...(x+11)) that CPython
    // uses too, so values agree to the bit; exact factorials for small integers.
    private const double LanczosG = 6.024680040776729583740234375;
    private const double LanczosGMinusHalf = 5.524680040776729583740234375;
    private static readonly double[] LanczosNumerator =
    {
        23531376880.410759688572007674451636754734846804940,
        42919803642.649098768957899047001988850926355848959,
        35711959237.355668049440185451547166705960488635843,
        17921034426.037209699919755754458931112671403265390,
        6039542586.3520280050642916443072979210699388420708,
        1439720407.3117216736632230727949123939715485786772,
        248874557.86205415651146038641322942321632125127801,
        31426415.585400194380614231628318205362874684987640,
        2876370.6289353724412254090516208496135991145378768,
        186056.26539522349504029498971604569928220784236328,
        8071.6720023658162106380029022722506138218516325024,
        210.82427775157934587250973392071336271166969580291,
        2.5066282746310002701649081771338373386264310793408,
    };
    private static readonly double[] LanczosDenominator =
    {
        0.0, 39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0, 13339535.0, 2637558.0, 357423.0, 32670.0,
        1925.0, 66.0, 1.0,
    };
    /// <summary>(n-1)! for n = 1..23, each the double nearest the exact factorial.</summary>
    private static readonly double[] GammaOfIntegers =
    {
        1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0, 3628800.0, 39916800.0, 479001600.0,
        6227020800.0, 87178291200.0, 1307674368000.0, 20922789888000.0, 355687428096000.0, 6402373705728000.0,
        121645100408832000.0, 2432902008176640000.0, 51090942171709440000.0, 1124000727777607680000.0,
    };
    private const double LogPi = 1.144729885849400174143427351353058711647;

    /// <summary>The rational function of Lanczos' sum for x &gt; 0; for large x, evaluated in 1/x (no overflow).</summary>
    private static double LanczosSum(double x)
    {
        double num = 0.0, den = 0.0;
        int n = LanczosNumerator.Length;
        if (x < 5.0)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                num = num * x + LanczosNumerator[i];
                den = den * x + LanczosDenominator[i];
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                num = num / x + LanczosNumerator[i];
                den = den / x + LanczosDenominator[i];
            }
        }
        return num / den;
    }

    /// <summary>sin(pi*x), exact at integers and half-integers (argument reduced to [0, 2) first).</summary>
    private static double SinPi(double x)
    {
        double y = Math.Abs(x) % 2.0;
        int n = (int)Math.Round(2.0 * y, MidpointRounding.ToEven);
        double r = n switch
        {
            0 => Math.Sin(Math.PI * y),
            1 => Math.Cos(Math.PI * (y - 0.5)),
            2 => Math.Sin(Math.PI * (1.0 - y)),
            3 => -Math.Cos(Math.PI * (y - 1.5)),
            _ => Math.Sin(Math.PI * (y - 2.0)),
        };
        return Math.CopySign(1.0, x) * r;
    }

    private static double Gamma(double x)
    {
        if (!double.IsFinite(x))
        {
            if (double.IsNaN(x) || x > 0.0) return x;
            throw Domain();
        }
        if (x == 0.0) throw Domain();
        if (x == Math.Floor(x))
        {
            if (x < 0.0) throw Domain();
            if (x <= GammaOfIntegers.Length) return GammaOfIntegers[(int)x - 1];
        }
        double absx = Math.Abs(x);
        if (absx < 1e-20)
        {
            double tiny = 1.0 / x;
            if (double.IsInfinity(tiny)) throw Ops.OverflowError("math range error");
            return tiny;
        }
        if (absx > 200.0)
        {
            if (x < 0.0) return 0.0 / SinPi(x);
            throw Ops.OverflowError("math range error");
        }
        double y = absx + LanczosGMinusHalf;
        double z;
        // the rounding error of y, so it can be corrected for
        if (absx > LanczosGMinusHalf) z = (y - absx) - LanczosGMinusHalf;
        else z = (y - LanczosGMinusHalf) - absx;
        z = z * LanczosG / y;
        double r;
        if (x < 0.0)
        {
            r = -Math.PI / SinPi(absx) / absx * Math.Exp(y) / LanczosSum(absx);
            r -= z * r;
            if (absx < 140.0) r /= Math.Pow(y, absx - 0.5);
            else
            {
                double sqrtpow = Math.Pow(y, absx / 2.0 - 0.25);
                r /= sqrtpow;
                r /= sqrtpow;
            }
        }
        else
        {
            r = LanczosSum(absx) / Math.Exp(y);
            r += z * r;
            if (absx < 140.0) r *= Math.Pow(y, absx - 0.5);
            else
            {
                double sqrtpow = Math.Pow(y, absx / 2.0 - 0.25);
                r *= sqrtpow;
                r *= sqrtpow;
            }
        }
        if (double.IsInfinity(r)) throw Ops.OverflowError("math range error");
        return r;
    }

    private static double LogGamma(double x)
    {
        if (!double.IsFinite(x)) return double.IsNaN(x) ? x : double.PositiveInfinity;
        if (x == Math.Floor(x) && x <= 2.0)
        {
            if (x <= 0.0) throw Domain();
            return 0.0;
        }
        double absx = Math.Abs(x);
        if (absx < 1e-20) return -Math.Log(absx);
        double r = Math.Log(LanczosSum(absx)) - LanczosG;
        r += (absx - 0.5) * (Math.Log(absx + LanczosG - 0.5) - 1);
        if (x < 0.0) r = LogPi - Math.Log(Math.Abs(SinPi(absx))) - Math.Log(absx) - r;
        if (double.IsInfinity(r)) throw Ops.OverflowError("math range error");
        return r;
    }
}
