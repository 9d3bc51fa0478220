def make():
    funcs = []
    for i in range(3):
        def f(i=i):
            return i
        funcs.append(f)
    return funcs
print([f() for f in make()])
def counter():
    n = [0]
    def inc():
        n[0] += 1
        return n[0]
    return inc
c1, c2 = counter(), counter()
print(c1(), c1(), c2())
def outer():
    v = 'a'
    def mid():
        def inner():
            return v
        return inner
    v = 'b'
    return mid()()
print(outer())
