def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
def lcm(a, b):
    return a * b // gcd(a, b)
from functools import reduce
print(gcd(1071, 462), lcm(4, 6), reduce(lcm, range(1, 21)), reduce(gcd, [48, 180, 600]))
