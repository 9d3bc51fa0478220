# math functions that follow CPython's own algorithms and special-value rules bit for bit.
import math

INF, NAN = float("inf"), float("nan")


def show(f, *args):
    try:
        r = f(*args)
    except (ValueError, OverflowError, TypeError, ZeroDivisionError) as e:
        r = f"{type(e).__name__}: {e}"
    print(f.__name__, args, "->", r.hex() if isinstance(r, float) and r == r and abs(r) != INF else r)


# fsum: exact partials, specials, overflow, the half-even fix-up across partials
for data in ([0.1] * 10, [1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], [2.0**53, -0.5, -2.0**-54],
             [1e-16, 1, 1e16], [10, INF], [INF, INF], [INF, -INF], [NAN, 1.0], [1e308, 1e308],
             [1e308, 1e308, -1e308], [], [2**1000, -(2**1000), 1]):
    show(math.fsum, data)

# hypot and dist: 3.11's vector_norm (correctly rounded in practice), NaN and inf rules
for args in [(3, 4), (572330659.1077356, 1180450261.5893514), (1306582123.6013212, 1065143347.0413604),
             (1e-320, 1e-320), (1, 2, 3, 4), (0, NAN), (INF, NAN), (), (-5,), (1e308, 1e308)]:
    show(math.hypot, *args)
show(math.dist, [1.0, 2.0, 3.0], [4.0, 2.0, -1.0])
print("dist of iterators", math.dist(iter([1.0, 2.0]), iter([4.0, 6.0])))
show(math.dist, (1, INF), (2, 3))
show(math.dist, (1, 2), (1, 2, 3))

# isqrt of big values (Newton from above), factorial by binary splitting
for n in [0, 1, 15, 16, 2**52 - 1, 2**64 + 5, 10**5001, 3**9999]:
    s = math.isqrt(n)
    print("isqrt ok", s * s <= n < (s + 1) * (s + 1), s.bit_length())
print(math.factorial(30), math.factorial(2000) % (10**20 + 39))
for bad in (-1, -10**100, 10**100, 5.0):
    show(math.factorial, bad)

# pow, ldexp, remainder, fmod, modf, log family, perm/comb/lcm argument rules
for args in [(0.0, -INF), (-0.0, -3.0), (2.0, 1e10), (-8.0, 1 / 3), (INF, -3.0), (-INF, 3.0), (NAN, 0.0), (1.0, NAN)]:
    show(math.pow, *args)
for args in [(INF, -10**30), (1.0, 10**30), (1.0, -10**30), (0.75, 1024), (1.0, -1074), (3.0, -1075)]:
    show(math.ldexp, *args)
for args in [(7.0, 2.0), (5.0, 2.0), (-5.0, 2.0), (3.0, INF), (INF, 1.0), (1.0, 0.0), (NAN, 1.0)]:
    show(math.remainder, *args)
for args in [(5.0, INF), (INF, 2.0), (-7.5, 2.0)]:
    show(math.fmod, *args)
for x in (-2.0, 2.5, -INF):
    print("modf", x, math.modf(x))
for x in (10**1000, -10**1000, 0, 2**1023 * 3, 1e-300):
    show(math.log10, x)
    show(math.log2, x)
show(math.log, 10**400, 10)
show(math.log, 8, 1)
show(math.perm, -1, 1)
show(math.perm, 5, -1)
show(math.comb, 5, -1)
show(math.perm, 10)
show(math.lcm, 120, 0, 84.0)
show(math.lcm, 0, 0)
show(math.gcd, -12, 18)


class FloatCeil(float):
    def __ceil__(self):
        return 42

    def __floor__(self):
        return 41

    def __trunc__(self):
        return 23


print(math.ceil(FloatCeil(1.5)), math.floor(FloatCeil(1.5)), math.trunc(FloatCeil(1.5)))
show(math.trunc, "x")
