# A weakref.proxy forwards the number operators (either side), unary operators, next(), reversed() and
# bytes() to its referent; bytes(x) asks x's class for __bytes__.
import weakref

class Num:
    def __init__(self, v): self.v = v
    def __add__(self, o): return Num(self.v + (o.v if isinstance(o, Num) else o))
    def __radd__(self, o): return Num(o + self.v)
    def __iadd__(self, o): self.v += o; return self
    def __neg__(self): return Num(-self.v)
    def __matmul__(self, o): return 'matmul'
    def __rmatmul__(self, o): return 'rmatmul'
    def __floordiv__(self, o): return 'floordiv'
    def __truediv__(self, o): return 'truediv'
    def __reversed__(self): return iter([3, 2, 1])
    def __bytes__(self): return b'num'

n = Num(5)
p = weakref.proxy(n)
print((p + 1).v, (1 + p).v, (p + p).v, (-p).v, p @ 2, 2 @ p, p // 3, p / 3)
q = p
q += 10
print(n.v, type(q).__name__)
print(list(reversed(p)), bytes(p), bytes(n))

def gen():
    yield 'first'
    yield 'second'

g = gen()
pg = weakref.proxy(g)
print(next(pg), next(pg))

class NotAnIterator:
    pass

x = NotAnIterator()
try:
    next(weakref.proxy(x))
except TypeError as e:
    print('TypeError:', e)

class BadBytes:
    def __bytes__(self): return 42

try:
    bytes(BadBytes())
except TypeError as e:
    print('TypeError:', e)
print(bytes(3), bytes([65, 66]), bytes('é', 'utf-8'))
