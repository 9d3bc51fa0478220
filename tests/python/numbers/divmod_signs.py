for a in [7, -7]:
    for b in [3, -3]:
        print(a, b, a // b, a % b, divmod(a, b), a / b)
for a in [7.5, -7.5]:
    for b in [2, -2]:
        print(a, b, a // b, a % b)
print(10 ** -2, 2 ** -1, (-8) ** (1 / 3) if False else "skip", (-2) ** 3, pow(-2, 2), pow(2, -2))
