x = 5
print(1 < x < 10, 1 < x > 10, 1 <= 1 < 2 <= 2, 3 > 2 > 1 > 0, 1 == 1 != 2)
print(1 < 2 < 3 < 4 < 5, 5 > 4 > 3 > 10)
def f(v):
    print("eval", v)
    return v
print(f(1) < f(2) < f(3))
print(f(3) < f(2) < f(1))
print(x is not None, x in [1, 5], x not in (1, 2), "a" < "b" < "c")
