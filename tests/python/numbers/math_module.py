import math
print(math.pi, math.e, math.tau, math.inf, math.sqrt(16), math.floor(3.7), math.ceil(3.2), math.trunc(-3.7))
print(math.factorial(20), math.gcd(48, 18), math.lcm(4, 6), math.isqrt(99), math.comb(10, 3), math.perm(5, 2))
print(math.log(math.e), math.log(8, 2), math.log10(1000), math.log2(1024), math.exp(0), math.pow(2, 0.5))
print(round(math.sin(math.pi / 2), 10), round(math.cos(0), 10), math.atan2(1, 1), math.hypot(3, 4), math.degrees(math.pi))
print(math.radians(180), math.fabs(-2), math.fmod(7, 3), math.modf(3.5), math.frexp(8.0), math.ldexp(0.5, 4))
print(math.isclose(0.1 + 0.2, 0.3), math.fsum([0.1] * 10), sum([0.1] * 10), math.prod([1, 2, 3, 4]), math.dist((0, 0), (3, 4)))
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
try:
    math.log(0)
except ValueError as e:
    print("ValueError:", e)
