# math's functions from libm (erf, erfc, expm1, log1p, cbrt, exp2) and CPython's own (gamma, lgamma: Lanczos),
# nextafter and ulp: values to the bit, and CPython's errors
import math

def t(label, f):
    try:
        print(label, "->", repr(f()))
    except Exception as e:
        print(label, "!!", type(e).__name__, e)

xs = [0.0, -0.0, 1e-300, 1e-10, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.7, 10.0, 27.5, -0.5, -1.5, -3.3, 30.0, 100.5]
for name in ["erf", "erfc", "expm1", "log1p", "cbrt", "exp2", "gamma", "lgamma", "ulp"]:
    f = getattr(math, name)
    out = []
    for x in xs:
        try:
            out.append(repr(f(x)))
        except (ValueError, OverflowError) as e:
            out.append(type(e).__name__)
    print(name, " ".join(out))
for x in [170.5, 171.0, 171.7, -170.5, -180.3, 0.001, 7.0, 23.0, 24.0, 60.25, 140.5, 199.9, 1e-25, -1e-25]:
    t("gamma(%r)" % x, lambda: math.gamma(x))
for x in [1e300, 1e-25, -2.5, 0.999, 2.000001, 50.0, -50.5, 1e17]:
    t("lgamma(%r)" % x, lambda: math.lgamma(x))
for args in [(0, 0), (-1, 0), (-1.5, 0), (math.inf, 0), (-math.inf, 0), (math.nan, 0)]:
    t("gamma/lgamma%r" % (args[:1],), lambda: (math.gamma(args[0]), math.lgamma(args[0])))
t("lgamma(-inf)", lambda: math.lgamma(-math.inf))
t("exp2(1024)", lambda: math.exp2(1024))
t("exp2(-1080)", lambda: math.exp2(-1080))
t("expm1(710)", lambda: math.expm1(710))
t("log1p(-1)", lambda: math.log1p(-1))
t("log1p(-2)", lambda: math.log1p(-2))
t("cbrt(-27)", lambda: math.cbrt(-27))
t("cbrt(inf)", lambda: math.cbrt(math.inf))
t("erf(inf)", lambda: (math.erf(math.inf), math.erfc(-math.inf), math.erf(math.nan)))
for args in [(1.0, 2.0), (1.0, 0.0), (0.0, 1.0), (0.0, -1.0), (-0.0, 1.0), (1.0, 1.0), (math.inf, 0.0), (1.7976931348623157e308, math.inf), (5e-324, 0.0), (math.nan, 1.0), (1.0, math.nan), (3, 4)]:
    t("nextafter%r" % (args,), lambda: math.nextafter(*args))
for x in [1.0, 0.0, -2.0, 1e300, 5e-324, 1.7976931348623157e308, math.inf, -math.inf, math.nan, 3]:
    t("ulp(%r)" % x, lambda: math.ulp(x))
t("erf()", lambda: math.erf())
t("erf('a')", lambda: math.erf('a'))
t("gamma(1, 2)", lambda: math.gamma(1, 2))
t("nextafter(1)", lambda: math.nextafter(1))
t("nextafter(x=1)", lambda: math.nextafter(x=1, y=2))
t("ulp(x=1)", lambda: math.ulp(x=1))
t("gamma(2**2000)", lambda: math.gamma(2**2000))
