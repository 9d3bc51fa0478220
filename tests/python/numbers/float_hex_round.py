# float.hex/fromhex as CPython (13 mantissa digits, subnormals, inf/nan); int.__round__ with negative ndigits
for x in (1.5, 0.1, -2.0, 1e300, 5e-324, 2.2250738585072014e-308, 1.0, 3.0, -0.0, 0.0, float("inf"), float("-inf"), float("nan")):
    print(repr(x), x.hex())
for s in ("0x1.8p+0", "0x1p-1074", "inf", "-Infinity", "nan", "+0x10", "0x.8"):
    print(s, float.fromhex(s))
for v in (3, 15, 25, 35, -15, -25, 1234567, 10**30 + 5 * 10**9):
    print(v, v.__round__(-1), v.__round__(-2), round(v, -10), v.__round__(), v.__round__(2))
print(type((5).__round__(-1)).__name__)
print(staticmethod(len).__wrapped__ is len, classmethod(len).__wrapped__ is len)
print(repr(staticmethod(len)), repr(classmethod(abs)))
