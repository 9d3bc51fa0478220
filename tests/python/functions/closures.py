def counter():
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return inc
c = counter()
print(c(), c(), c())
def make_adders():
    return [lambda x, i=i: x + i for i in range(3)]
print([f(10) for f in make_adders()])
def late():
    fs = [lambda x: x + i for i in range(3)]
    return [f(10) for f in fs]
print(late())
x = "global"
def outer():
    x = "outer"
    def inner():
        return x
    return inner()
print(outer())
def setg():
    global x
    x = "changed"
setg()
print(x)
def a():
    v = 1
    def b():
        def c():
            return v + 1
        return c()
    return b()
print(a())
