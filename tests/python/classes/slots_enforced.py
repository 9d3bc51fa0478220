# __slots__: no __dict__, member descriptors, inheritance, __dict__ slot, conflicts, name mangling
class P:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

p = P(1, 2)
print(p.x, p.y, hasattr(p, "__dict__"))
try:
    p.z = 3
except AttributeError as e:
    print("AttributeError:", e)
del p.y
try:
    p.y
except AttributeError as e:
    print("AttributeError:", e)
p.y = 5
print(p.y, type(P.x).__name__, repr(P.x))

class Q(P):
    __slots__ = ("z",)
q = Q(1, 2)
q.z = 3
print(q.x, q.y, q.z, hasattr(q, "__dict__"))

class R(P):      # no __slots__: instances get a __dict__ again
    pass
r = R(1, 2)
r.extra = 4
print(r.extra, r.__dict__)

class S:
    __slots__ = ("a", "__dict__")
s = S()
s.a = 1
s.b = 2
print(s.a, s.__dict__)

class T:
    __slots__ = "only"
t = T()
t.only = "one"
print(t.only)

class Private:
    __slots__ = ("__hidden",)
    def set(self, v):
        self.__hidden = v
        return self.__hidden
print(Private().set(9), "_Private__hidden" in Private.__dict__)

try:
    class Conflict:
        __slots__ = ("a",)
        a = 1
except ValueError as e:
    print("ValueError:", e)

try:
    class Bad:
        __slots__ = ("not valid",)
except TypeError as e:
    print("TypeError:", e)

class W:
    __slots__ = ("__weakref__", "v")
w = W()
w.v = 1
print(w.v, hasattr(w, "__dict__"))

class E:
    __slots__ = ()
try:
    E().anything = 1
except AttributeError as e:
    print("AttributeError:", e)
print(P.__slots__, T.__slots__)
try:
    P.x.__get__(5)
except TypeError as e:
    print("TypeError:", e)
