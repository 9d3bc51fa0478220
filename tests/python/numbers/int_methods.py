print((255).bit_length(), (0).bit_length(), (-8).bit_length(), int.from_bytes(b"\xff\xff", "big", signed=True))
print((1024).to_bytes(2, "little"), (5).as_integer_ratio(), (7).conjugate(), (3).real, (3).imag)
print(int("  42  "), int("1_000"), int("z", 36), int("-0x1f", 16), int(True), int(2.999999))
for bad in ["4.5", "", "0x", "12a"]:
    try:
        int(bad)
    except ValueError as e:
        print(e)
