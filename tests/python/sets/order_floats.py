# Float set order: float hashes use arithmetic modulo 2**61 - 1, equal numbers hash equally.
print({1.5, 2.25, -0.5, 1e100, 3.0, float('inf')})
print({0.1, 0.2, 0.3, 1/3, 2.5e-10})
print(set([0.5 * k for k in range(20)]))
print(set([1.0, 2, 3.0, 4, 5.5, -1.0, -2.5, float('-inf')]))
print(set([1e-300, 1e300, 123.456, -123.456, 2.0**70, 2.0**-70]))
x = set()
for k in range(1, 30):
    x.add(1 / k)
print(x)
print({1.0, 1, True}, {1, 1.0}, {0.0, -0.0, 0})
print(set(map(float, range(-8, 9))))
