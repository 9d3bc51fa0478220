# Bound methods hash and compare by the identity of __self__ (CPython 3.11's meth_hash), so the method of an
# object whose own __hash__ raises, or whose __eq__ says everything is equal, still hashes and compares.
class A:
    def __init__(self, x):
        self.x = x

    def f(self):
        pass

    def g(self):
        pass

    def __eq__(self, other):
        return True

    def __hash__(self):
        raise TypeError("unhashable A")


a1, a2 = A(1), A(1)
print(hash(a1.f) == hash(a1.f), a1.f == a1.f, a1.f != a1.f)
print(a1.f == a2.f, a1.f != a2.f, a1.f == a1.g)
print(len({a1.f, a1.f, a2.f}))
l = []
print(l.append == l.append, hash(l.append) == hash(l.append), l.append == [].append)
try:
    hash(a1)
except TypeError as e:
    print("TypeError", e)
