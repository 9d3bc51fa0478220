# int / int and float(int) are correctly rounded (ties to even), also past 2**53 and 2**64 where
# dividing the doubles or truncating the quotient is one ulp off (statistics' Fraction results).
from fractions import Fraction

cases = [
    (576460752303423488, 12009599006321323),
    (2**60 + 1, 3),
    (10**30 + 1, 3 * 10**12),
    (-(2**70) - 12345, 7),
    (1, 2**1074),            # smallest subnormal
    (1, 2**1075),            # ties to even: 0.0
    (3, 2**1076),            # 0.75 ulp: rounds up to the smallest subnormal
    (2**1100, 2**77 + 1),
    (10**400, 10**399),
    (0, 10**40),
    (-(10**40), 10**40 + 1),
]
for a, b in cases:
    print((a / b).hex())

for a, b in [(10**400, 1), (2**1024, 1), (2**2000, 2**976 - 1)]:
    try:
        print(a / b)
    except OverflowError as e:
        print("OverflowError:", e)

for v in [2**53 + 1, 2**54 + 3, 2**64 + 2**11, 2**64 + 2**11 + 1, 2**64 + 3 * 2**11, -(2**80 + 2**27 + 1),
          2**1024 - 2**970 - 1, 123456789012345678901234567890]:
    print(float(v).hex())
for v in [2**1024 - 2**970, 2**1024]:
    try:
        print(float(v))
    except OverflowError as e:
        print("OverflowError:", e)

print(float(2 / (Fraction(1, 40) + Fraction(1, 60))))
import statistics
print(statistics.harmonic_mean([40, 60]), statistics.stdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]))
print(statistics.pstdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]))
