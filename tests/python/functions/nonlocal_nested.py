def a():
    x = 0
    def b():
        nonlocal x
        x += 1
        def c():
            nonlocal x
            x += 10
        c()
    b(); b()
    return x
print(a())
def gen_counter():
    count = 0
    def g():
        nonlocal count
        while True:
            count += 1
            yield count
    return g()
it = gen_counter()
print(next(it), next(it))
