n = 1
for i in range(1, 51):
    n *= i
print(n)
print(n // (10 ** 30), n % 997, len(str(n)), hex(n)[:20], bin(255), oct(64))
print(2 ** 200 + 1, -(3 ** 100), (2 ** 100).bit_length(), (7).bit_length())
print(int("123456789012345678901234567890") * 3, 10 ** 50 // 7, -(10 ** 40) // 3, (-10 ** 40) % 7)
print(abs(-(2 ** 80)), 2 ** 80 == 2 ** 80, 2 ** 80 > 2 ** 79, hash(2 ** 70) == hash(2 ** 70))
print((12345678901234567890).to_bytes(9, "big"), int.from_bytes(b"\x01\x00", "little"), 2 ** 62 * 4, (2 ** 63) - 1 + 1)
