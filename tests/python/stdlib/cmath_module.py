# cmath: CPython's formulas (branch cuts, huge and tiny arguments), constants and errors.
import cmath

vals = [0j, 1, -1, 2.5, 1j, -1j, 1 + 1j, -2 - 3j, 0.5 - 0.25j, 3 + 4j, 1e-310 + 1e-310j, 1e300 + 1e300j, -0.0 - 0.0j]
for name in ("sqrt", "exp", "log", "log10", "sin", "cos", "tan", "sinh", "cosh", "tanh",
             "asin", "acos", "atan", "asinh", "acosh", "atanh"):
    out = []
    for v in vals:
        try:
            out.append(repr(getattr(cmath, name)(v)))
        except (ValueError, OverflowError) as e:
            out.append("%s(%s)" % (type(e).__name__, e))
    print(name, " ".join(out))
print(cmath.log(8, 2), cmath.log(100, 10), cmath.log(-1), cmath.log(1j, 1 + 1j))
print(cmath.phase(-1), cmath.phase(-1 - 0j), cmath.phase(1j), cmath.polar(1j), cmath.polar(-3 + 4j), cmath.rect(2, 0.5), cmath.rect(0, 1))
print(cmath.pi, cmath.e, cmath.tau, cmath.inf, cmath.nan, cmath.infj, cmath.nanj)
print(cmath.isfinite(1 + 1j), cmath.isinf(complex(1, float("inf"))), cmath.isnan(complex(float("nan"), 0)))
print(cmath.isclose(1 + 1j, 1 + 1.0000000001j), cmath.isclose(1, 1.1), cmath.isclose(1, 1.1, rel_tol=0.2), cmath.isclose(0, 1e-10, abs_tol=1e-9))
class C:
    def __complex__(self):
        return 2j
class F:
    def __float__(self):
        return 4.0
print(cmath.sqrt(C()), cmath.sqrt(F()), cmath.exp(True))
for f in (lambda: cmath.sqrt("x"), lambda: cmath.exp(None), lambda: cmath.log(0), lambda: cmath.exp(1000),
          lambda: cmath.atanh(1), lambda: cmath.log(1, 0), lambda: cmath.polar(1e308 + 1e308j), lambda: cmath.sqrt(1, 2),
          lambda: cmath.isclose(1, 2, rel_tol=-1), lambda: cmath.log(1, 2, 3), lambda: cmath.cosh(1000), lambda: cmath.rect(1, "x")):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
