# float(x), float.fromhex, round(x, n), ** special cases and float formatting corners, as CPython 3.11
import math


def shown(args):
    # objects without a stable repr (addresses) show as their type
    return repr([a if isinstance(a, (str, bytes, bytearray, int, float, list)) else type(a).__name__ for a in args])


def attempt(fn, *args):
    try:
        print(fn.__name__, shown(args), "->", repr(fn(*args)))
    except (ValueError, TypeError, OverflowError, ZeroDivisionError) as e:
        print(fn.__name__, shown(args), "->", type(e).__name__, e)


for s in ["3.14", "  -2.5e3\n", "1_000.5", "1__0", "_1", "1_", "1_.5", "1._5", "1e1_0", "inf", "-Infinity", "nan",
          "IN_F", "0x10", "", " ", "\u0663.\u0661\u0664", "1e500", "-1e-500", ".5", "5.", ".", "e5", "1e", "123\x00",
          "\xbd"]:
    attempt(float, s)
attempt(float, b" 2.5 ")
attempt(float, bytearray(b"1e3"))
attempt(float, memoryview(b"12.34")[1:4])
attempt(float, b"\xff")
attempt(float, [1])
attempt(float, 2 ** 2000)


class F:
    def __float__(self):
        return 1.5


class I:
    def __index__(self):
        return 3


class Bad:
    def __float__(self):
        return 1


attempt(float, F())
attempt(float, I())
attempt(float, Bad())
try:
    float(x=1)
except TypeError as e:
    print("keyword:", e)

for s in ["0x1.8p1", "0x.8p0", "1p-2", "-0x1p-1074", "0x1p-1075", "0x3p-1076", "0x1.fffffffffffff8p1023", "0x1p1024",
          "inf", " -nan ", "", "0x", "0x1p", "0x1.g", "0X1P+3"]:
    attempt(float.fromhex, s)


class G(float):
    pass


print(type(G.fromhex("0x1p0")).__name__, G.fromhex("0x1p0"))
print(math.floor(2.5), math.ceil(2.5), (2.5).__floor__(), (-2.5).__ceil__())

for x, n in [(123.456, 324), (123.456, 2 ** 100), (1e-320, 400), (1.4e-315, 315), (123.456, -400), (-123.456, -2 ** 31),
             (1.6e308, -308), (2.675, 2), (1e300, 307), (0.5, 0)]:
    attempt(round, x, n)

for x, y in [(-math.inf, math.nan), (-2.0, math.nan), (1.0, math.nan), (math.nan, 0.0), (-math.inf, 0.5),
             (0.0, -math.inf), (-1.0, math.inf), (-8.0, 1 / 3), (0.0, -1.0)]:
    attempt(pow, x, y)

for spec in [".4", ".1", "#.0", ".3", ""]:
    print(spec, [format(v, spec) for v in (123.456, 1234.56, 2.0, 0.0001234, 1e16)])
print(["%#.0f" % v for v in (1.5, 2.5)], ["%#.0g" % 2.0, "%#.1g" % 2.0, "%#.3g" % 2.0])


class WithInit(float):
    def __init__(self, value, extra=None):
        self.extra = extra


class Plain(float):
    pass


w = WithInit(2.5, extra=3)
print(type(w).__name__, w, w.extra)
for call in (lambda: Plain(x=1), lambda: float(1, 2), lambda: float(x=1)):
    try:
        call()
    except TypeError as e:
        print("TypeError", e)
