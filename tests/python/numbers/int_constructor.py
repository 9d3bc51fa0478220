# int(x, base): CPython's literal rules, error texts and the __int__/__index__/__trunc__ protocol
import warnings


def shown(args):
    # objects without a stable repr (addresses) show as their type
    return repr([a if isinstance(a, (str, bytes, bytearray, int, float, list)) else type(a).__name__ for a in args])


def attempt(*args, **kwargs):
    try:
        print(shown(args), kwargs, "->", repr(int(*args, **kwargs)))
    except (ValueError, TypeError, OverflowError) as e:
        print(shown(args), kwargs, "->", type(e).__name__, e)


for s in ["0", " 12 ", "+7", "-0", "1_000", "1__0", "_1", "1_", "0x1f", "010", "00", "0_0", "1.5", "", "   ",
          "\u0663\u0661", "\u2003-3\u2002", "12\x00", "x" * 300, "\uff11\uff12"]:
    attempt(s)
for s, b in [("0x_1f", 0), ("0x1f", 16), ("1f", 16), ("0b101", 0), ("0b_1", 2), ("0o17", 8), ("0o17", 0),
             ("z", 36), ("Z", 36), ("10", 2), ("12", 2), ("0x", 16), ("0b", 0), ("-0x10", 0), ("1", 1), ("1", 37),
             ("1", -1), ("9", 2 ** 100), ("07", 0), ("0_7", 0)]:
    attempt(s, b)
attempt(b" 42 ")
attempt(bytearray(b"0x10"), 16)
attempt(b"\xff1")
attempt(memoryview(b"123"))
attempt(memoryview(b"12x"))
attempt(3.9)
attempt(-3.9)
attempt(1e30)
attempt(float("nan"))
attempt(float("inf"))
attempt(12, 10)
attempt([1])
attempt("10", base=2)
attempt(base=10)
attempt(x=5)
attempt("1", 2, 3)
attempt()


class WithInt:
    def __int__(self):
        return 7


class WithIndex:
    def __index__(self):
        return 8


class WithTrunc:
    def __trunc__(self):
        return 9


class BadInt:
    def __int__(self):
        return "x"


class SubInt(int):
    pass


class IntReturnsSub:
    def __int__(self):
        return SubInt(5)


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for obj in [WithInt(), WithIndex(), WithTrunc(), BadInt(), SubInt(4), IntReturnsSub()]:
        attempt(obj)
    print([str(w.message) for w in caught])
print(type(int(SubInt(3))).__name__, type(SubInt("12")).__name__, SubInt("12"))
