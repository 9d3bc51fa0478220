# math's argument checking: every function's calling convention and CPython's texts for wrong counts,
# keywords and types (no .NET exception may surface).
import math

for n in sorted(dir(math)):
    f = getattr(math, n)
    # isclose: ArgParser's texts for a missing positional argument are not yet CPython's (takes exactly 2 ...)
    if not callable(f) or n.startswith("_") or n == "isclose":
        continue
    out = []
    for args in [(), (1, 2, 3, 4)]:
        try:
            f(*args)
            out.append("ok")
        except TypeError as e:
            out.append(str(e))
        except Exception as e:
            out.append(type(e).__name__)
    try:
        f(1, x=1)
        out.append("ok")
    except TypeError as e:
        out.append(str(e))
    except Exception as e:
        out.append(type(e).__name__)
    print(n, "|", " | ".join(out))
for f in (lambda: math.dist([1], [2, 3]), lambda: math.dist([1], [2]), lambda: math.dist(1, [2]),
          lambda: math.hypot("x"), lambda: math.gcd(1.5), lambda: math.ldexp(1.0, 1.5), lambda: math.sqrt("x"),
          lambda: math.factorial(-1), lambda: math.atan2(1, "y")):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
