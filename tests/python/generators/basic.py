def gen(n):
    for i in range(n):
        yield i * i
g = gen(4)
print(next(g), next(g), list(g))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
f = fib()
print([next(f) for _ in range(15)])
print(sum(x for x in range(100) if x % 3 == 0))
print(list(x * y for x in range(3) for y in range(3)))
def empty():
    return
    yield
print(list(empty()))
g2 = gen(1)
print(next(g2))
try:
    next(g2)
except StopIteration:
    print("stopped")
print(next(gen(0), "default"))
