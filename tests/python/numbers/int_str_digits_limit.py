# 3.11's limit on decimal int<->str conversion of huge ints (sys.set_int_max_str_digits)
import sys

print(sys.get_int_max_str_digits(), sys.int_info.default_max_str_digits, sys.int_info.str_digits_check_threshold)
print(sys.flags.int_max_str_digits)


def attempt(label, fn):
    try:
        r = fn()
        print(label, "ok", r if not isinstance(r, str) else len(r))
    except (ValueError, TypeError, OverflowError, SyntaxError) as e:
        print(label, type(e).__name__, e)


attempt("int 4300", lambda: int("1" * 4300) > 0)
attempt("int 4301", lambda: int("1" * 4301))
attempt("int signed", lambda: int("-" + "2" * 4300) < 0)
attempt("int spaces", lambda: int("  " + "3" * 4300 + "\n") > 0)
attempt("int underscores", lambda: int("1_2" * 2000) > 0)
attempt("int underscores over", lambda: int("1_22" * 1500))
attempt("str 4300", lambda: str(10 ** 4299))
attempt("str 4301", lambda: str(10 ** 4300))
attempt("str neg", lambda: str(-10 ** 4299))
attempt("repr", lambda: repr(10 ** 5000))
attempt("%d", lambda: "%d" % 10 ** 5000)
attempt("format", lambda: format(10 ** 5000, ","))
attempt("f-string", lambda: f"{10 ** 5000}")
attempt("hex unlimited", lambda: hex(10 ** 5000))
attempt("base 16 unlimited", lambda: int("f" * 10000, 16).bit_length())
attempt("base 2 unlimited", lambda: int("1" * 100000, 2).bit_length())
attempt("base 36 limited", lambda: int("z" * 4301, 36))
attempt("base 36 str", lambda: str(int("z" * 4000, 36)))
attempt("set 100", lambda: sys.set_int_max_str_digits(100))
attempt("set str", lambda: sys.set_int_max_str_digits("5000"))
attempt("set no arg", lambda: sys.set_int_max_str_digits())
attempt("set keyword", lambda: sys.set_int_max_str_digits(maxdigits=1000))
print(sys.get_int_max_str_digits(), sys.flags.int_max_str_digits)
attempt("int 1001", lambda: int("7" * 1001))
attempt("str 1001", lambda: str(7 * 10 ** 1000))
attempt("literal", lambda: compile("x = " + "9" * 1001, "<src>", "exec"))
attempt("set 0", lambda: sys.set_int_max_str_digits(0))
attempt("unlimited", lambda: len(str(int("8" * 20000))))
