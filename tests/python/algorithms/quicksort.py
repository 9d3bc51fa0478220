def qs(a):
    if len(a) <= 1:
        return a
    p, *rest = a
    return qs([x for x in rest if x < p]) + [p] + qs([x for x in rest if x >= p])
import random
random.seed(1)
data = [random.randint(0, 100) for _ in range(30)]
print(qs(data) == sorted(data), qs([3, 1, 2]))
