print(round(3.14159, 2), round(2.5), round(-2.5), round(1e20), round(123, -1), round(125, -1), round(135, -1))
print(abs(-7), abs(7.25), abs(-0.0), abs(3 + 4j), pow(2, 8), pow(2, -1), pow(7, 2, 5), pow(-7, 2, 5), pow(3, -1, 7))
print(divmod(100, 7), divmod(-100, 7), divmod(1.5, 0.4))
