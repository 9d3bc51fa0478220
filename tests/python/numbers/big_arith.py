a = 3 ** 200
b = 7 ** 150
print(a + b)
print(a - b)
print(a * b % (10 ** 30))
print(a // b, a % b)
print(-a // b, -a % b)
print(a ** 2 // b ** 2)
print(str(a)[:20], len(str(a)), a > b, a == 3 ** 200, a & 0xFFFF, a | 1, a ^ b > 0, a >> 300, b << 3)
print(int(str(a)) == a, float(2 ** 60), 2 ** 1000 / 2 ** 999, (10 ** 25) / 3)
