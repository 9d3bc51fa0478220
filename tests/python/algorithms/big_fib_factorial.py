def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
print(fib(300))
import math
print(math.factorial(50) // math.factorial(48), str(math.factorial(100))[-30:], sum(int(d) for d in str(2 ** 1000)))
