print((2.5).is_integer(), (3.0).is_integer(), (0.5).as_integer_ratio(), (0.1).hex(), float.fromhex("0x1.8p1"))
print(float("nan") == float("nan"), float("inf") > 1e308, -float("inf"), 1e308 * 10 == float("inf"))
import math
print(math.isnan(float("nan")), math.isinf(-float("inf")), math.isfinite(1.0), math.copysign(2, -0.0))
print(round(0.5), round(1.5), round(2.5), round(-1.5), round(2.675, 2), round(1.005, 2), round(7.25, 1), round(12345.678, -1))
print(3.7 // 1, -3.7 // 1, 3.7 % 1 < 0.71, divmod(7.5, 2), divmod(-7.5, 2), 5.0 // 0.3)
try:
    1.0 / 0
except ZeroDivisionError as e:
    print(e)
try:
    1 // 0
except ZeroDivisionError as e:
    print(e)
try:
    1 % 0
except ZeroDivisionError as e:
    print(e)
