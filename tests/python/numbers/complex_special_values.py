# complex(): signed zeros, infinities and NaNs keep their place (CPython's complex_new_impl), string parsing,
# subclasses, __complex__, arithmetic as CPython's _Py_c_* functions, comparisons, format().
import math

INF, NAN = float("inf"), float("nan")

def show(z):
    return "%r %r %s" % (z.real, z.imag, repr(z))

for x in (0.0, -0.0, INF, -INF, NAN, 1.5):
    for y in (0.0, -0.0, INF, -INF, NAN):
        z = complex(x, y)
        print(show(z), show(complex(repr(z))) == show(z))

print(show(complex(-0.0)), show(complex(0.0, -0.0)), show(complex(-0.0, 1)), show(-(0j)))
print(show(complex(1j, 2j)), show(complex(1 + 2j, 3)), show(complex(1, 1j)))
for s in ["1+2j", " ( 1-2j ) ", "j", "-j", "+1J", "1e500", "-1e500j", "-1e500+1.8e308j", "1_000.5_1e1_0j",
          "nan+nanj", "-inf-infj", "infinity", "3.", ".5j", "1+j", "1-J", "\u0661+\u0662j"]:
    print(repr(s), show(complex(s)))
for bad in ["", "1+", "1+2", "(1+2j", "1+2j)", "1__0", "_1", "1_", "jj", "1+2jj", "1 + 2j", "(", "nanj+1"]:
    try:
        complex(bad)
    except ValueError as e:
        print(repr(bad), "ValueError", e)

class C(complex):
    pass

c = C(1, 2)
print(type(c).__name__, c, type(C("3+4j")).__name__, type(C()).__name__, type(c + 1).__name__, isinstance(c, complex))
c.attr = 5
print(c.attr, C(1, 2) == complex(1, 2))

class WithComplex:
    def __complex__(self):
        return 3 + 4j

class Bad:
    def __complex__(self):
        return 1.5

class FloatOnly:
    def __float__(self):
        return 2.5

class IndexOnly:
    def __index__(self):
        return 7

print(complex(WithComplex()), complex(WithComplex(), 1), complex(FloatOnly()), complex(IndexOnly(), FloatOnly()))
print((1 + 2j).__complex__(), type(C(1).__complex__()).__name__, (1 + 2j).__getnewargs__())
for args in [(Bad(),), ("1", 2), (1, "2"), ([],), (1, []), (None,)]:
    try:
        complex(*args)
    except TypeError as e:
        print("TypeError", e)
z = 1 + 2j
print(complex(z) is z, complex(real=1, imag=2), complex(imag=3))

# arithmetic
print(show((1 + 2j) / (3 - 4j)), show((1e300 + 1e300j) / (1e300 + 1e300j)), show(complex(1, NAN) / 2))
print(show(complex(INF, 0) * 2), show(2 ** (0.5 + 0j)), show((1 + 1j) ** 2), show((1 + 1j) ** -3), show(1j ** 0.5))
for a, b in [(0j, -1), (0j, 1j), (1e200 + 1e200j, 10), (0j, 0)]:
    try:
        print(show(a ** b))
    except (ZeroDivisionError, OverflowError) as e:
        print(type(e).__name__, e)
try:
    (1 + 1j) / 0
except ZeroDivisionError as e:
    print(e)
try:
    pow(1 + 1j, 1 + 1j, 1 + 1j)
except ValueError as e:
    print("ValueError", e)
try:
    abs(complex(1e308, 1e308))
except OverflowError as e:
    print("OverflowError", e)
print(abs(complex(INF, NAN)), abs(complex(NAN, 1)), abs(3 + 4j))

# comparisons
print(complex(2 ** 53 + 1, 0) == 2 ** 53 + 1, complex(2 ** 53, 0) == 2 ** 53, (1 + 1j) == 1 << 10000, 1.5 + 0j == 1.5)
print(complex.__lt__(1 + 1j, 2 + 2j), complex.__eq__(1 + 1j, None))
try:
    (1 + 1j) < (2 + 2j)
except TypeError as e:
    print("TypeError", e)

# format
for spec in ["", "-", "<", "10", ">20", "^20", "*<20", ".3", ".3f", "+.2e", " g", "+", "_", ",.2f", "#.0f", "n", "G", "E"]:
    print(repr(spec), repr(format(1.5 - 2.25e10j, spec)), repr(format(3j, spec)), repr(format(-0.0 + 1j, spec)))
print(format(complex(NAN, -INF), ""), format(complex(NAN, -INF), ".2f"), "{:>12}|{:.1f}".format(1 + 2j, 1 + 2j))
for spec in ["010", "=20", "d", "s", "x", "0<10"]:
    try:
        format(1 + 2j, spec)
    except ValueError as e:
        print(repr(spec), "ValueError", e)
