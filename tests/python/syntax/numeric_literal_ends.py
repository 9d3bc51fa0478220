# Where a number ends (CPython's tokenizer): underscores only between digits, a bad digit for the base, a letter
# right after the number ("invalid KIND literal", with CPython's column), and the keywords that may follow a
# number without a space (1if, 0xfor, 1else).
import warnings

warnings.simplefilter("ignore")
for src in ["0b1_", "0b12", "0b1_2", "0b2", "0b", "0o18", "0o8", "0o1_", "0o", "0x1_", "0x", "1_", "012", "1.2_",
            "1e2_", "1e+", "0xfspam", "1.e", "1__0", "0_7", "09.5", "00", "0_0", "1if 1else 0", "[0xfor x in ()]",
            "1jif 1 else 2", "1.5j", ".5", "1e5j", "0xfand x", "0 if 1Else 0", "1_000.000_1e1_0", "0x_ff", "0b_1",
            "1.__class__", "1 .__class__", "0o7_7", "1j_", "1jx", "0XFF", "1E3", "3.e2", "[1for x in ()]",
            "1or 2", "0or 2", "1 in[1]", "1in[1]", "1not in[2]", "1is 1", "9and 1", "0x1for x in ()", "1_2_3"]:
    try:
        code = compile(src, "<s>", "eval")
        print(f"{src!r:20} ok {eval(code) if 'x ' not in src else ''}")
    except SyntaxError as e:
        print(f"{src!r:20} SyntaxError: {e.msg} (offset {e.offset})")
