import math
print([round(math.sqrt(x), 4) for x in range(1, 6)], math.floor(-2.5), math.ceil(-2.5), math.trunc(2.9))
print(math.gcd(0, 5), math.gcd(-12, 18), math.isqrt(10 ** 20), math.comb(50, 25), math.factorial(0))
print(math.e ** 2 == math.exp(2), round(math.log(100, 10), 10), math.floor(1e15 + 0.5), math.inf - 1, math.nan != math.nan)
print(round(math.acos(0.5), 10), round(math.asin(1), 10), math.tanh(0), math.sinh(0), math.cosh(0))
