# The operators choose which operand to iterate (intersection walks the smaller set),
# and the result's order follows.
a = {x * 7 for x in range(30)}
b = set(range(0, 100, 5))
print(a | b, b | a)
print(a & b, b & a)
print(a - b, b - a)
print(a ^ b, b ^ a)
small = {35, 70, 3}
print(a & small, small & a)
c = set(a); c &= b; print(c)
c = set(a); c -= b; print(c)
c = set(a); c ^= b; print(c)
c = set(a); c |= {1, 2, 3}; print(c)
print(a | a == a, a & a, len(a ^ a), a - a)
f = frozenset([9, 8, 7, 1])
print(f | {2}, {2} | f, f & {1, 9}, type(f - {1}).__name__, type({1} - f).__name__)
print(a <= b, small < a | small, a >= {0, 7}, a > a)
