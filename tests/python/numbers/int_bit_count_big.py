# int.bit_count on small, negative, long.MinValue and very big ints (linear time).
import sys
for a in (0, 1, -1, 255, -256, 2**63 - 1, -(2**63), 2**63, -(2**64) + 1, sys.maxsize):
    print(a, a.bit_count())
for exp in (10, 64, 65, 1009, 70234, 1234567):
    a = 2**exp
    print(exp, a.bit_count(), (a - 1).bit_count(), (a ^ 63).bit_count(), ((a - 1) ^ 510).bit_count(), (-(a - 1)).bit_count())
