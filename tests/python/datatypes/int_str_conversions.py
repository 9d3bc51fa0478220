for s in ["0", "-0", "+7", "  8\n", "1_2", "0b11"]:
    try:
        print(repr(s), int(s))
    except ValueError as e:
        print(repr(s), "ValueError", e)
print(int("11", 2), int("777", 8), int("zz", 36), int("0o17", 0), int("0x1A", 0), str(-12345), str(10 ** 30))
print(float("  -1.5e3 "), float(".5"), float("1_000.5"), repr(float("-0")), float("InF"))
