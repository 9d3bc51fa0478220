# int edge cases from CPython's test_long: shifts of zero by huge counts, round() with huge ndigits,
# as_integer_ratio of bool, byteorder checks, grouping options refused for non-decimal format types.
print(0 << (1 << 1000), 0 << 0, (0 << 100) >> 5)
huge = 1 << 1000
print(round(8979323, huge), round(8979323, 2**63), round(8979323, -30), round(-8979323, -300), round(12345, -2), round(12355, -1), round(-15, -1))
print(round(True, 2), type(round(True, 2)).__name__)
for v in (True, False, 7, -3):
    n, d = v.as_integer_ratio()
    print(n, d, type(n).__name__, type(d).__name__)
for order in ("big\x00", "middle", "", "BIG"):
    for call in (lambda: int.from_bytes([0], order), lambda: (5).to_bytes(2, order)):
        try:
            call()
        except ValueError as e:
            print(repr(order), "ValueError", e)
try:
    int.from_bytes(b"\x01", 5)
except TypeError as e:
    print("TypeError", e)
print(int.from_bytes(b"\x01\x00", "little"), (258).to_bytes(2, "little"), (258).to_bytes(2), int.from_bytes(b"\x01\x00"))
for spec in [",x", ",b", ",o", ",X", ",c", "_c", ",n", "_n", "_x", ",d", "_d", ",e", "_b", "_o"]:
    try:
        print(spec, format(1234567890, spec))
    except ValueError as e:
        print(spec, "ValueError", e)
for spec in ["+c", "#c", " c", "zd", "z+f", ",_d", "_,d", "__d", ",,d", "d,", "%M"]:
    try:
        print(spec, format(3, spec))
    except ValueError as e:
        print(spec, "ValueError", e)
for v, spec in [("ab", "05"), ("ab", "<05"), (5, "<05"), (-5, "05"), ("ab", "#"), ("ab", " "), ("ab", "zs"), (1.5, "%M"), ("s", "%M")]:
    try:
        print(repr(format(v, spec)))
    except ValueError as e:
        print(repr(spec), "ValueError", e)
print(f"{-0.:z.1e}", f"{-0.001:z.1e}", f"{-0.:z.1f}", f"{-0.0001:z.2%}")
for src in (0, True):
    try:
        int.from_bytes(src, "big")
    except TypeError as e:
        print("TypeError", e)

class ValidBytes:
    def __bytes__(self):
        return b"\x01"

class InvalidBytes:
    def __bytes__(self):
        return "abc"

print(int.from_bytes(ValidBytes()), int.from_bytes(ValidBytes(), "little"))
try:
    int.from_bytes(InvalidBytes())
except TypeError as e:
    print("TypeError", e)
