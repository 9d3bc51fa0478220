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
            double num = LogHelper(a[0], Math.Log);
            if (a.Length == 1) return new PyFloat(num);
            double den = LogHelper(a[1], Math.Log);
            if (den == 0) throw Ops.ZeroDivisionError("float division by zero");
            return new PyFloat(num / den);
        });
        m.AddFn("log2", (a, k) => new PyFloat(LogHelper(a[0], Math.Log2)));
        m.AddFn("log10", (a, k) => new PyFloat(LogHelper(a[0], Math.Log10)));
        m.AddFn("pow", (a, k) => new PyFloat(Pow(D(a[0]), D(a[1]))));
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
        m.AddFn("hypot", (a, k) =>
        {
            var v = new double[a.Length];
            double max = 0; bool nan = false;
            for (int i = 0; i < a.Length; i++)
            {
                double x = Math.Abs(D(a[i]));
                v[i] = x; nan |= double.IsNaN(x);
                if (x > max) max = x;
            }
            return new PyFloat(VectorNorm(v, max, nan));
        });
        m.AddFn("dist", (a, k) =>
        {
            // CPython converts any iterable with tuple() first
            var p = a[0] is PyTuple pt ? pt.Items : Ops.ToArray(a[0]);
            var q = a[1] is PyTuple qt ? qt.Items : Ops.ToArray(a[1]);
            if (p.Length != q.Length) throw Ops.ValueError("both points must have the same number of dimensions");
            var v = new double[p.Length];
            double max = 0; bool nan = false;
            for (int i = 0; i < p.Length; i++)
            {
                double x = Math.Abs(D(p[i]) - D(q[i]));
                v[i] = x; nan |= double.IsNaN(x);
                if (x > max) max = x;
            }
            return new PyFloat(VectorNorm(v, max, nan));
        });
        m.AddFn("degrees", (a, k) => new PyFloat(D(a[0]) * (180.0 / Math.PI)));
        m.AddFn("radians", (a, k) => new PyFloat(D(a[0]) * (Math.PI / 180.0)));
        m.AddFn("floor", (a, k) => RoundTo(a[0], "__floor__", Math.Floor));
        m.AddFn("ceil", (a, k) => RoundTo(a[0], "__ceil__", Math.Ceiling));
        m.AddFn("trunc", (a, k) => RoundTo(a[0], "__trunc__", Math.Truncate));
        m.AddFn("isfinite", (a, k) => PyBool.Of(double.IsFinite(D(a[0]))));
        m.AddFn("isinf", (a, k) => PyBool.Of(double.IsInfinity(D(a[0]))));
        m.AddFn("isnan", (a, k) => PyBool.Of(double.IsNaN(D(a[0]))));
        m.AddFn("copysign", (a, k) => new PyFloat(Math.CopySign(D(a[0]), D(a[1]))));
        m.AddFn("fmod", (a, k) =>
        {
            double x = D(a[0]), y = D(a[1]);
            if (double.IsInfinity(y) && double.IsFinite(x)) return new PyFloat(x);  // fmod(x, +-inf) is x
            double r = x % y;
            if (double.IsNaN(r) && !double.IsNaN(x) && !double.IsNaN(y)) throw Domain();
            return new PyFloat(r);
        });
        m.AddFn("remainder", (a, k) =>
        {
            double x = D(a[0]), y = D(a[1]);
            double r = Remainder(x, y);
            if (double.IsNaN(r) && !double.IsNaN(x) && !double.IsNaN(y)) throw Domain();
            return new PyFloat(r);
        });
        m.AddFn("modf", (a, k) =>
        {
            var x = D(a[0]);
            if (double.IsInfinity(x)) return new PyTuple(new PyObject[] { new PyFloat(Math.CopySign(0, x)), new PyFloat(x) });
            var ip = Math.Truncate(x);
            return new PyTuple(new PyObject[] { new PyFloat(Math.CopySign(x - ip, x)), new PyFloat(ip) });
        });
        m.AddFn("frexp", (a, k) => { var mm = PyFloat.Frexp(D(a[0]), out int e); return new PyTuple(new PyObject[] { new PyFloat(mm), PyInt.Get(e) }); });
        m.AddFn("ldexp", (a, k) =>
        {
            double x = D(a[0]);
            if (a[1] is not PyInt ei) throw Ops.TypeError("Expected an int as second argument to ldexp.");
            if (x == 0 || !double.IsFinite(x)) return new PyFloat(x);
            var e = ei.Big;
            double r;
            if (e > int.MaxValue) r = Math.CopySign(double.PositiveInfinity, x);
            else if (e < int.MinValue) r = Math.CopySign(0.0, x);
            else r = Math.ScaleB(x, (int)e);
            if (double.IsInfinity(r)) throw Ops.OverflowError("math range error");
            return new PyFloat(r);
        });
        m.AddFn("factorial", (a, k) =>
        {
            var n = ((PyInt)Ops.Index(a[0])).Big;
            if (n > long.MaxValue) throw Ops.OverflowError($"factorial() argument should not exceed {long.MaxValue}");
            if (n.Sign < 0) throw Ops.ValueError("factorial() not defined for negative values");
            return PyInt.Get(RangeProduct(2, (long)n));
        });
        m.AddFn("gcd", (a, k) =>
        {
            if (a.Length == 0) return PyInt.Zero;
            var g = BigInteger.Abs(((PyInt)Ops.Index(a[0])).Big);
            for (int i = 1; i < a.Length; i++) g = BigInteger.GreatestCommonDivisor(g, ((PyInt)Ops.Index(a[i])).Big);
            return PyInt.Get(g);
        });
        m.AddFn("lcm", (a, k) =>
        {
            if (a.Length == 0) return PyInt.One;
            var l = BigInteger.Abs(((PyInt)Ops.Index(a[0])).Big);
            for (int i = 1; i < a.Length; i++)
            {
                var v = BigInteger.Abs(((PyInt)Ops.Index(a[i])).Big);  // every argument is checked, even after a zero
                if (l.IsZero || v.IsZero) { l = BigInteger.Zero; continue; }
                l = l / BigInteger.GreatestCommonDivisor(l, v) * v;
            }
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
            if (n.Sign < 0) throw Ops.ValueError("n must be a non-negative integer");
            if (r.Sign < 0) throw Ops.ValueError("k must be a non-negative integer");
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
            if (n.Sign < 0) throw Ops.ValueError("n must be a non-negative integer");
            if (r.Sign < 0) throw Ops.ValueError("k must be a non-negative integer");
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
        m.AddFn("fsum", (a, k) => new PyFloat(Fsum(a[0])));
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

    /// <summary>Floor of the square root: Newton's iteration from a power of two above the root, which decreases
    /// monotonically to the answer (a double's square root is only a start for small values).</summary>
    public static BigInteger ISqrt(BigInteger n)
    {
        if (n < 2) return n;
        if (n < (BigInteger.One << 52))
        {
            long s = (long)Math.Sqrt((double)(long)n);
            long v = (long)n;
            while (s * s > v) s--;
            while ((s + 1) * (s + 1) <= v) s++;
            return s;
        }
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + n / x) >> 1;
            if (y >= x) return x;
            x = y;
        }
    }

    /// <summary>lo * (lo+1) * ... * hi by binary splitting (balanced big multiplications: factorial(10**5) in
    /// milliseconds, where a running product is quadratic).</summary>
    private static BigInteger RangeProduct(long lo, long hi)
    {
        if (lo > hi) return BigInteger.One;
        if (hi - lo < 16)
        {
            BigInteger r = lo;
            for (long i = lo + 1; i <= hi; i++) r *= i;
            return r;
        }
        long mid = lo + (hi - lo) / 2;
        return RangeProduct(lo, mid) * RangeProduct(mid + 1, hi);
    }

    /// <summary>CPython's loghelper: an int too big for a double is taken as m * 2**e; ints and floats that are not
    /// positive are domain errors.</summary>
    private static double LogHelper(PyObject o, Func<double, double> f)
    {
        if (o is PyInt i)
        {
            if (i.Sign <= 0) throw Domain();
            if (i.IsBig)
            {
                var b = i.Big;
                double? d = PyInt.BigToDouble(b);
                if (d is double dv) return f(dv);
                // x * 2**e with x in [0.5, 1) rounded once (CPython's _PyLong_Frexp)
                long e = (long)b.GetBitLength();
                int shift = (int)(e - 55);
                ulong top = (ulong)(b >> shift);
                if ((long)BigInteger.TrailingZeroCount(b) < shift) top |= 1;
                double x0 = Math.ScaleB((double)(long)top, -55);
                if (x0 == 1.0) { x0 = 0.5; e++; }
                return f(x0) + f(2.0) * e;
            }
        }
        double x = D(o);
        if (double.IsNaN(x)) return x;
        if (x <= 0) throw Domain();
        double r = f(x);
        if (double.IsInfinity(r) && double.IsFinite(x)) throw Domain();
        return r;
    }

    /// <summary>math.pow: CPython's rules for infinities and NaNs, libm for finite operands.</summary>
    private static double Pow(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y))
        {
            if (double.IsNaN(x)) return y == 0 ? 1.0 : x;
            if (double.IsNaN(y)) return x == 1 ? 1.0 : y;
            if (double.IsInfinity(x))
            {
                bool oddY = double.IsFinite(y) && Math.Abs(y) % 2.0 == 1.0;
                if (y > 0) return oddY ? x : Math.Abs(x);
                if (y == 0) return 1.0;
                return oddY ? Math.CopySign(0.0, x) : 0.0;
            }
            // y is infinite
            if (Math.Abs(x) == 1.0) return 1.0;
            if (y > 0 && Math.Abs(x) > 1.0) return y;
            if (y < 0 && Math.Abs(x) < 1.0) return -y;
            return 0.0;
        }
        double r = Math.Pow(x, y);
        if (double.IsNaN(r)) throw Domain();
        if (double.IsInfinity(r)) throw x == 0 ? Domain() : Ops.OverflowError("math range error");
        return r;
    }

    /// <summary>IEEE 754 remainder (CPython's m_remainder): x - n*y with n the integer nearest x/y, ties to even.</summary>
    private static double Remainder(double x, double y)
    {
        if (double.IsFinite(x) && double.IsFinite(y))
        {
            if (y == 0) return double.NaN;
            double ax = Math.Abs(x), ay = Math.Abs(y);
            double m = ax % ay;
            double c = ay - m;
            double r;
            if (m < c) r = m;
            else if (m > c) r = -c;
            else r = m - 2.0 * ((0.5 * (ax - m)) % ay);
            return Math.CopySign(1.0, x) * r;
        }
        if (double.IsNaN(x)) return x;
        if (double.IsNaN(y)) return y;
        if (double.IsInfinity(x)) return double.NaN;
        return x;
    }

    /// <summary>math.fsum: Shewchuk's exact partials (CPython's msum), infinities and NaNs summed apart, an overflow of
    /// the partials an OverflowError, and the last partials rounded half-even across their boundary.</summary>
    private static double Fsum(PyObject iterable)
    {
        var it = Ops.GetIter(iterable);
        var p = new System.Collections.Generic.List<double>();
        double specialSum = 0, infSum = 0;
        while (Ops.Next(it) is { } item)
        {
            double x = D(item), xsave = x;
            int i = 0;
            for (int j = 0; j < p.Count; j++)
            {
                double y = p[j];
                if (Math.Abs(x) < Math.Abs(y)) (x, y) = (y, x);
                double hi = x + y, yr = hi - x, lo = y - yr;
                if (lo != 0.0) p[i++] = lo;
                x = hi;
            }
            p.RemoveRange(i, p.Count - i);
            if (x != 0.0)
            {
                if (!double.IsFinite(x))
                {
                    if (double.IsFinite(xsave)) throw Ops.OverflowError("intermediate overflow in fsum");
                    if (double.IsInfinity(xsave)) infSum += xsave;
                    specialSum += xsave;
                    p.Clear();
                }
                else p.Add(x);
            }
        }
        if (specialSum != 0.0)
        {
            if (double.IsNaN(infSum)) throw Ops.ValueError("-inf + inf in fsum");
            return specialSum;
        }
        double sum = 0.0;
        int n = p.Count;
        if (n > 0)
        {
            sum = p[--n];
            double lo = 0;
            while (n > 0)
            {
                double x = sum, y = p[--n];
                sum = x + y;
                double yr = sum - x;
                lo = y - yr;
                if (lo != 0.0) break;
            }
            if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)))
            {
                double y = lo * 2.0, x = sum + y, yr = x - sum;
                if (y == yr) sum = x;
            }
        }
        return sum;
    }

    /// <summary>The Euclidean norm of non-negative coordinates (CPython 3.11's vector_norm): scaled by a power of two,
    /// squared exactly by Veltkamp-Dekker splitting, summed with compensation, then one Newton correction of the
    /// square root; bit-identical to CPython's hypot and dist.</summary>
    private static double VectorNorm(double[] vec, double max, bool foundNan)
    {
        const double T27 = 134217729.0; // 2**27 + 1
        if (double.IsInfinity(max)) return max;
        if (foundNan) return double.NaN;
        int n = vec.Length;
        if (max == 0.0 || n <= 1) return max;
        PyFloat.Frexp(max, out int maxE);
        double x, t, hi, lo, oldcsum, csum = 1.0, frac1 = 0.0, frac2 = 0.0, frac3 = 0.0;
        if (maxE >= -1023)
        {
            double scale = Math.ScaleB(1.0, -maxE);
            for (int i = 0; i < n; i++)
            {
                x = vec[i] * scale;
                t = x * T27;
                hi = t - (t - x);
                lo = x - hi;
                x = hi * hi;
                oldcsum = csum; csum += x; frac1 += (oldcsum - csum) + x;
                x = 2.0 * hi * lo;
                oldcsum = csum; csum += x; frac2 += (oldcsum - csum) + x;
                frac3 += lo * lo;
            }
            double h = Math.Sqrt(csum - 1.0 + (frac1 + frac2 + frac3));
            x = h;
            t = x * T27;
            hi = t - (t - x);
            lo = x - hi;
            x = -hi * hi;
            oldcsum = csum; csum += x; frac1 += (oldcsum - csum) + x;
            x = -2.0 * hi * lo;
            oldcsum = csum; csum += x; frac2 += (oldcsum - csum) + x;
            x = -lo * lo;
            oldcsum = csum; csum += x; frac3 += (oldcsum - csum) + x;
            x = csum - 1.0 + (frac1 + frac2 + frac3);
            return (h + x / (2.0 * h)) / scale;
        }
        // subnormal max: ldexp(1.0, -max_e) would overflow, so divide by max instead
        for (int i = 0; i < n; i++)
        {
            x = vec[i] / max;
            x *= x;
            oldcsum = csum; csum += x; frac1 += (oldcsum - csum) + x;
        }
        return max * Math.Sqrt(csum - 1.0 + frac1);
    }

    private static PyObject RoundTo(PyObject o, string dunder, Func<double, double> f)
    {
        if (o is PyInt i && i.Type == PyInt.TypeObj) return i;
        if (o is PyFloat fl && fl.Type == PyFloat.TypeObj)
        {
            var r = f(fl.V);
            return TypeMethods.FloatToInt(r);
        }
        var m = Ops.CallSpecial(o, PyStr.Intern(dunder));
        if (m != null) return m;
        if (dunder == "__trunc__") throw Ops.TypeError($"type {o.Type.Name} doesn't define __trunc__ method");
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
