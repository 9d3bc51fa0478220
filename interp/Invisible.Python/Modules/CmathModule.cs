using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>cmath</c> (Modules/cmathmodule.c): the complex functions computed with the same formulas as CPython
/// (Kahan's branch cuts; scaled paths for huge and tiny arguments), so finite results match CPython's to the bit,
/// and CPython's errors ("math domain error", "math range error"). CPython's special-value tables for infinite and
/// NaN parts are not reproduced: such arguments go through the same formulas.
/// </summary>
public static partial class CmathModule
{
    private const string LibM = "libm.so.6";
    [LibraryImport(LibM)] private static partial double hypot(double x, double y);
    [LibraryImport(LibM)] private static partial double log1p(double x);

    private const double LargeDouble = double.MaxValue / 4;
    private static readonly double SqrtLargeDouble = Math.Sqrt(LargeDouble);
    private static readonly double LogLargeDouble = Math.Log(LargeDouble);
    private static readonly double SqrtDblMin = Math.Sqrt(2.2250738585072014e-308);
    private const double DblMin = 2.2250738585072014e-308;
    private const double Ln2 = 0.6931471805599453094;
    private const double Ln10 = 2.302585092994045684;

    private static readonly ArgParser IsCloseArgs = new("isclose", "a, b, /, *, rel_tol=1e-09, abs_tol=0.0");
    private static readonly ArgParser LogArgs = new("log", "x, base=, /");
    private static readonly ArgParser RectArgs = new("rect", "r, phi, /");

    private readonly struct C
    {
        public readonly double Re, Im;
        public C(double re, double im) { Re = re; Im = im; }
    }

    private sealed class MathError : Exception
    {
        public readonly bool Domain;
        public MathError(bool domain) { Domain = domain; }
    }

    private static C ToC(PyObject o)
    {
        if (o is PyComplex c) return new C(c.V.Real, c.V.Imaginary);
        if (o is not PyFloat && o is not PyInt && o.Type.Lookup(PyStr.S___complex__) != null)
        {
            var r = Ops.CallSpecial(o, PyStr.S___complex__)!;
            if (r is PyComplex rc) return new C(rc.V.Real, rc.V.Imaginary);
            throw Ops.TypeError($"__complex__ returned non-complex (type {r.Type.Name})");
        }
        return new C(ArgParser.ToDouble(o), 0);
    }

    private static PyObject Box(C c) => new PyComplex(new Complex(c.Re, c.Im));

    /// <summary>A one-argument function: domain and range errors as CPython's math_error.</summary>
    private static void Fn1(PyModule m, string name, Func<C, C> f, bool rangeCheck)
    {
        var parser = new ArgParser("cmath." + name, "z, /");
        m.AddFn(name, (a, k) =>
        {
            var z = ToC(parser.Parse(a, k)[0]!);
            C r;
            try { r = f(z); }
            catch (MathError e) { throw e.Domain ? Ops.ValueError("math domain error") : Ops.OverflowError("math range error"); }
            if (rangeCheck && (double.IsInfinity(r.Re) || double.IsInfinity(r.Im)) && double.IsFinite(z.Re) && double.IsFinite(z.Im))
                throw Ops.OverflowError("math range error");
            return Box(r);
        });
    }

    public static PyModule Create()
    {
        var m = new PyModule("cmath");
        m.Add("pi", new PyFloat(Math.PI));
        m.Add("e", new PyFloat(Math.E));
        m.Add("tau", new PyFloat(2 * Math.PI));
        m.Add("inf", new PyFloat(double.PositiveInfinity));
        m.Add("nan", new PyFloat(Builtins.TypeMethods.PositiveNaN));
        m.Add("infj", new PyComplex(new Complex(0, double.PositiveInfinity)));
        m.Add("nanj", new PyComplex(new Complex(0, Builtins.TypeMethods.PositiveNaN)));
        Fn1(m, "sqrt", Sqrt, false);
        Fn1(m, "exp", Exp, true);
        Fn1(m, "log10", z => { var r = Log(z); return new C(r.Re / Ln10, r.Im / Ln10); }, false);
        Fn1(m, "sinh", Sinh, true);
        Fn1(m, "cosh", Cosh, true);
        Fn1(m, "tanh", Tanh, false);
        Fn1(m, "sin", z => { var s = Sinh(new C(-z.Im, z.Re)); return new C(s.Im, -s.Re); }, true);
        Fn1(m, "cos", z => Cosh(new C(-z.Im, z.Re)), true);
        Fn1(m, "tan", z => { var t = Tanh(new C(-z.Im, z.Re)); return new C(t.Im, -t.Re); }, false);
        Fn1(m, "asinh", Asinh, false);
        Fn1(m, "asin", z => { var s = Asinh(new C(-z.Im, z.Re)); return new C(s.Im, -s.Re); }, false);
        Fn1(m, "acos", Acos, false);
        Fn1(m, "acosh", Acosh, false);
        Fn1(m, "atanh", Atanh, false);
        Fn1(m, "atan", z => { var s = Atanh(new C(-z.Im, z.Re)); return new C(s.Im, -s.Re); }, false);
        m.AddFn("log", (a, k) =>
        {
            var args = LogArgs.Parse(a, k);
            var z = ToC(args[0]!);
            try
            {
                var r = Log(z);
                if (args[1] is { } b) r = Quot(r, Log(ToC(b)));
                return Box(r);
            }
            catch (MathError) { throw Ops.ValueError("math domain error"); }
        });
        var phaseArgs = new ArgParser("cmath.phase", "z, /");
        m.AddFn("phase", (a, k) => { var z = ToC(phaseArgs.Parse(a, k)[0]!); return new PyFloat(Math.Atan2(z.Im, z.Re)); });
        var polarArgs = new ArgParser("cmath.polar", "z, /");
        m.AddFn("polar", (a, k) =>
        {
            var z = ToC(polarArgs.Parse(a, k)[0]!);
            double r = hypot(z.Re, z.Im);
            if (double.IsInfinity(r) && double.IsFinite(z.Re) && double.IsFinite(z.Im)) throw Ops.OverflowError("math range error");
            return PyTuple.Of(new PyFloat(r), new PyFloat(Math.Atan2(z.Im, z.Re)));
        });
        m.AddFn("rect", (a, k) =>
        {
            var args = RectArgs.Parse(a, k);
            double r = args.Double(0), phi = args.Double(1);
            if (double.IsFinite(r) && double.IsFinite(phi) && r != 0) return Box(new C(r * Math.Cos(phi), r * Math.Sin(phi)));
            if (r == 0 && double.IsFinite(phi)) return Box(new C(r * Math.Cos(phi), r * Math.Sin(phi)));
            if (double.IsFinite(r) && !double.IsNaN(phi) && double.IsInfinity(phi) && r != 0) throw Ops.ValueError("math domain error");
            return Box(new C(r * Math.Cos(phi), r * Math.Sin(phi)));
        });
        var isArgs = new ArgParser("cmath.isfinite", "z, /");
        m.AddFn("isfinite", (a, k) => { var z = ToC(isArgs.Parse(a, k)[0]!); return PyBool.Of(double.IsFinite(z.Re) && double.IsFinite(z.Im)); });
        var infArgs = new ArgParser("cmath.isinf", "z, /");
        m.AddFn("isinf", (a, k) => { var z = ToC(infArgs.Parse(a, k)[0]!); return PyBool.Of(double.IsInfinity(z.Re) || double.IsInfinity(z.Im)); });
        var nanArgs = new ArgParser("cmath.isnan", "z, /");
        m.AddFn("isnan", (a, k) => { var z = ToC(nanArgs.Parse(a, k)[0]!); return PyBool.Of(double.IsNaN(z.Re) || double.IsNaN(z.Im)); });
        m.AddFn("isclose", (a, k) =>
        {
            var args = IsCloseArgs.Parse(a, k);
            var x = ToC(args[0]!); var y = ToC(args[1]!);
            double rel = args.Double(2, 1e-9), abs = args.Double(3, 0.0);
            if (rel < 0 || abs < 0) throw Ops.ValueError("tolerances must be non-negative");
            if (x.Re == y.Re && x.Im == y.Im) return PyBool.True;
            if (double.IsInfinity(x.Re) || double.IsInfinity(x.Im) || double.IsInfinity(y.Re) || double.IsInfinity(y.Im)) return PyBool.False;
            double diff = hypot(x.Re - y.Re, x.Im - y.Im);
            return PyBool.Of(diff <= rel * hypot(y.Re, y.Im) || diff <= rel * hypot(x.Re, x.Im) || diff <= abs);
        });
        return m;
    }

    /// <summary>Complex division as CPython's _Py_c_quot (Smith's method); a zero divisor is a domain error.</summary>
    private static C Quot(C a, C b)
    {
        double abr = Math.Abs(b.Re), abi = Math.Abs(b.Im);
        if (abr >= abi)
        {
            if (abr == 0) throw new MathError(true);
            double ratio = b.Im / b.Re, denom = b.Re + b.Im * ratio;
            return new C((a.Re + a.Im * ratio) / denom, (a.Im - a.Re * ratio) / denom);
        }
        if (abi >= abr)
        {
            double ratio = b.Re / b.Im, denom = b.Re * ratio + b.Im;
            return new C((a.Re * ratio + a.Im) / denom, (a.Im * ratio - a.Re) / denom);
        }
        return new C(double.NaN, double.NaN);
    }

    private static C Sqrt(C z)
    {
        if (z.Re == 0 && z.Im == 0) return new C(0, z.Im);
        double ax = Math.Abs(z.Re), ay = Math.Abs(z.Im), s;
        if (ax < DblMin && ay < DblMin)
        {
            // subnormal parts: scale up so hypot keeps its precision
            ax = Math.ScaleB(ax, 53);
            s = Math.ScaleB(Math.Sqrt(ax + hypot(ax, Math.ScaleB(ay, 53))), -27);
        }
        else
        {
            ax /= 8;
            s = 2 * Math.Sqrt(ax + hypot(ax, ay / 8));
        }
        double d = ay / (2 * s);
        return z.Re >= 0 ? new C(s, Math.CopySign(d, z.Im)) : new C(d, Math.CopySign(s, z.Im));
    }

    private static C Exp(C z)
    {
        if (z.Re > LogLargeDouble)
        {
            double l = Math.Exp(z.Re - 1);
            return new C(l * Math.Cos(z.Im) * Math.E, l * Math.Sin(z.Im) * Math.E);
        }
        double e = Math.Exp(z.Re);
        return new C(e * Math.Cos(z.Im), e * Math.Sin(z.Im));
    }

    private static C Log(C z)
    {
        double ax = Math.Abs(z.Re), ay = Math.Abs(z.Im), re;
        if (ax > LargeDouble || ay > LargeDouble) re = Math.Log(hypot(ax / 2, ay / 2)) + Ln2;
        else if (ax < DblMin && ay < DblMin)
        {
            if (ax > 0 || ay > 0) re = Math.Log(hypot(Math.ScaleB(ax, 53), Math.ScaleB(ay, 53))) - 53 * Ln2;
            else throw new MathError(true); // log(0)
        }
        else
        {
            double h = hypot(ax, ay);
            if (0.71 <= h && h <= 1.73)
            {
                double am = ax > ay ? ax : ay, an = ax > ay ? ay : ax;
                re = log1p((am - 1) * (am + 1) + an * an) / 2;
            }
            else re = Math.Log(h);
        }
        return new C(re, Math.Atan2(z.Im, z.Re));
    }

    private static C Sinh(C z)
    {
        if (Math.Abs(z.Re) > LogLargeDouble)
        {
            double x1 = z.Re - Math.CopySign(1, z.Re);
            return new C(Math.Cos(z.Im) * Math.Sinh(x1) * Math.E, Math.Sin(z.Im) * Math.Cosh(x1) * Math.E);
        }
        return new C(Math.Cos(z.Im) * Math.Sinh(z.Re), Math.Sin(z.Im) * Math.Cosh(z.Re));
    }

    private static C Cosh(C z)
    {
        if (Math.Abs(z.Re) > LogLargeDouble)
        {
            double x1 = z.Re - Math.CopySign(1, z.Re);
            return new C(Math.Cos(z.Im) * Math.Cosh(x1) * Math.E, Math.Sin(z.Im) * Math.Sinh(x1) * Math.E);
        }
        return new C(Math.Cos(z.Im) * Math.Cosh(z.Re), Math.Sin(z.Im) * Math.Sinh(z.Re));
    }

    private static C Tanh(C z)
    {
        if (Math.Abs(z.Re) > SqrtLargeDouble)
            return new C(Math.CopySign(1, z.Re), 4 * Math.Sin(z.Im) * Math.Cos(z.Im) * Math.Exp(-2 * Math.Abs(z.Re)));
        double tx = Math.Tanh(z.Re), ty = Math.Tan(z.Im), cx = 1 / Math.Cosh(z.Re), txty = tx * ty;
        double denom = 1 + txty * txty;
        return new C(tx * (1 + ty * ty) / denom, ty / denom * cx * cx);
    }

    private static C Asinh(C z)
    {
        if (Math.Abs(z.Re) > LargeDouble || Math.Abs(z.Im) > LargeDouble)
        {
            double re = z.Im >= 0
                ? Math.CopySign(Math.Log(hypot(z.Re / 2, z.Im / 2)) + Ln2 * 2, z.Re)
                : -Math.CopySign(Math.Log(hypot(z.Re / 2, z.Im / 2)) + Ln2 * 2, -z.Re);
            return new C(re, Math.Atan2(z.Im, Math.Abs(z.Re)));
        }
        var s1 = Sqrt(new C(1 + z.Im, -z.Re));
        var s2 = Sqrt(new C(1 - z.Im, z.Re));
        return new C(Math.Asinh(s1.Re * s2.Im - s2.Re * s1.Im), Math.Atan2(z.Im, s1.Re * s2.Re - s1.Im * s2.Im));
    }

    private static C Acos(C z)
    {
        if (Math.Abs(z.Re) > LargeDouble || Math.Abs(z.Im) > LargeDouble)
        {
            double re = Math.Atan2(Math.Abs(z.Im), z.Re);
            double l = Math.Log(hypot(z.Re / 2, z.Im / 2)) + Ln2 * 2;
            return new C(re, z.Re < 0 ? -Math.CopySign(l, z.Im) : Math.CopySign(l, -z.Im));
        }
        var s1 = Sqrt(new C(1 - z.Re, -z.Im));
        var s2 = Sqrt(new C(1 + z.Re, z.Im));
        return new C(2 * Math.Atan2(s1.Re, s2.Re), Math.Asinh(s2.Re * s1.Im - s2.Im * s1.Re));
    }

    private static C Acosh(C z)
    {
        if (Math.Abs(z.Re) > LargeDouble || Math.Abs(z.Im) > LargeDouble)
            return new C(Math.Log(hypot(z.Re / 2, z.Im / 2)) + Ln2 * 2, Math.Atan2(z.Im, z.Re));
        var s1 = Sqrt(new C(z.Re - 1, z.Im));
        var s2 = Sqrt(new C(z.Re + 1, z.Im));
        return new C(Math.Asinh(s1.Re * s2.Re + s1.Im * s2.Im), 2 * Math.Atan2(s1.Im, s2.Re));
    }

    private static C Atanh(C z)
    {
        if (z.Re < 0)
        {
            var n = Atanh(new C(-z.Re, -z.Im));
            return new C(-n.Re, -n.Im);
        }
        double ay = Math.Abs(z.Im);
        if (z.Re > SqrtLargeDouble || ay > SqrtLargeDouble)
        {
            double h = hypot(z.Re / 2, z.Im / 2);
            return new C(z.Re / 4 / h / h, -Math.CopySign(Math.PI / 2, -z.Im));
        }
        if (z.Re == 1 && ay < SqrtDblMin)
        {
            if (ay == 0) throw new MathError(true);
            return new C(-Math.Log(Math.Sqrt(ay) / Math.Sqrt(hypot(ay, 2))), Math.CopySign(Math.Atan2(2, -ay) / 2, z.Im));
        }
        return new C(log1p(4 * z.Re / ((1 - z.Re) * (1 - z.Re) + ay * ay)) / 4, -Math.Atan2(-2 * z.Im, (1 - z.Re) * (1 + z.Re) - ay * ay) / 2);
    }
}
