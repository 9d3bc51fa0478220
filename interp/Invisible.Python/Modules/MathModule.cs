using System;
using System.Numerics;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

public static class MathModule
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

    public static PyModule Create()
    {
        var m = new PyModule("math");
        m.Add("pi", new PyFloat(Math.PI)); m.Add("e", new PyFloat(Math.E)); m.Add("tau", new PyFloat(Math.Tau));
        m.Add("inf", new PyFloat(double.PositiveInfinity)); m.Add("nan", new PyFloat(TypeMethods.PositiveNaN));
        m.AddFn("sqrt", (a, k) => { var x = D(a[0]); if (x < 0) throw Domain(); return new PyFloat(Math.Sqrt(x)); });
        m.AddFn("exp", (a, k) => { var x = D(a[0]); return FR(Math.Exp(x), x); });
        m.AddFn("expm1", (a, k) => { var x = D(a[0]); return FR(Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1, x); });
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
        m.AddFn("log1p", (a, k) => { var x = D(a[0]); if (x <= -1) throw Domain(); return new PyFloat(Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x)); });
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
        m.AddFn("dist", (a, k) => { var p = Ops.ToArray(a[0]); var q = Ops.ToArray(a[1]); double s = 0; for (int i = 0; i < p.Length; i++) { var d = D(p[i]) - D(q[i]); s += d * d; } return new PyFloat(Math.Sqrt(s)); });
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
        m.AddFn("ldexp", (a, k) => { var x = D(a[0]); return FR(x * Math.Pow(2, Ops.IndexValue(a[1])), x); });
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
            double x = D(a[0]), y = D(a[1]);
            double rt = Ops.Arg(a, k, 99, "rel_tol") is PyObject r ? D(r) : 1e-9;
            double at = Ops.Arg(a, k, 99, "abs_tol") is PyObject t ? D(t) : 0;
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
            PyObject acc = Ops.Arg(a, k, 99, "start") ?? PyInt.One;
            foreach (var x in Ops.ToArray(a[0])) acc = Ops.BinaryOp(acc, x, BinOp.Mul);
            return acc;
        });
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
}
