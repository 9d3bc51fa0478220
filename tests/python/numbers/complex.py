z = complex(3, 4)
print(z, abs(z), z.real, z.imag, z.conjugate(), z * 2, z + 1, z * z, z / 2, 1j * 1j, -z)
print(complex(1, 0), complex(0, 1), complex(-1.5, -2), 2 + 3j, (1 + 2j) == (1 + 2j), 0j, complex("1+2j"))
print(3j ** 2, (1 + 1j) ** 2, abs(3 + 4j) == 5.0)
