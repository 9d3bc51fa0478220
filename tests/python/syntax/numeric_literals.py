print(0x1F, 0o17, 0b1010, 1_000_000, 0x_ff, 1e3, 1.5E-2, .5, 5., 1_0.0_1, 0j, 3.14j)
print(123456789 * 987654321, 0xFFFFFFFFFFFFFFFFFFFF, 10 ** 0, -0, +5, - -5)
