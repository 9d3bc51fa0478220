for n in [0, 1, 255, -255, 2 ** 40]:
    print(bin(n), hex(n), oct(n))
print(chr(65), chr(0x263A), ord("€"), [chr(c) for c in range(97, 102)], "".join(map(chr, [72, 105])))
print(int(bin(1234), 2), int(hex(1234), 16), int(oct(1234), 8), f"{1234:b}", format(1234, "#o"))
