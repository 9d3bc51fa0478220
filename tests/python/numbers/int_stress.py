import random
random.seed(11)
for _ in range(60):
    a = random.randint(-10**30, 10**30)
    b = random.randint(-10**12, 10**12) or 1
    print(a + b, a - b, a * b, a // b, a % b, divmod(a, b), abs(a) >> 7, a & 0xFFFF, a | b, a ^ b, -a, a == b, a < b, pow(abs(b) % 1000, 3, 997))
