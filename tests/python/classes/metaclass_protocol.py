# __prepare__ with metaclass keywords, __mro_entries__, __orig_bases__, metaclass calculation, dict-subclass namespaces
class Ns(dict):
    def __setitem__(self, key, value):
        if not key.startswith("__"):
            print("define", key)
        super().__setitem__(key, value)

class Meta(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kw):
        print("prepare", name, sorted(kw.items()))
        return Ns()
    def __new__(mcls, name, bases, ns, **kw):
        print("new", name, type(ns).__name__, sorted(kw.items()))
        return super().__new__(mcls, name, bases, dict(ns))
    def __init__(cls, name, bases, ns, **kw):
        super().__init__(name, bases, ns)

class A(metaclass=Meta, flavor="x", n=2):
    a = 1
    def f(self):
        return self.a
print(type(A).__name__, A().f())

class B(A):        # metaclass inherited from the base
    b = 2
print(type(B).__name__)

class Entry:
    def __mro_entries__(self, bases):
        print("mro_entries", len(bases))
        return (dict,)

class D(Entry()):
    pass
print(D.__mro__[1].__name__, type(D.__orig_bases__[0]).__name__)

class Plain:
    pass
class E(Plain):
    pass
print("__orig_bases__" in E.__dict__)

class M1(type): pass
class M2(type): pass
class X(metaclass=M1): pass
class Y(metaclass=M2): pass
try:
    class Z(X, Y): pass
except TypeError as e:
    print("TypeError:", e)

class Sub(M1): pass
class W(X, metaclass=Sub): pass
print(type(W).__name__)
class V(metaclass=M1): pass
class U(V, W): pass
print(type(U).__name__)

def func_meta(name, bases, ns, **kw):
    print("func_meta", name, sorted(ns)[-1], kw)
    return 42
class F(metaclass=func_meta, q=1):
    z = 0
print(F)

class BadPrep(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return 5
try:
    class G(metaclass=BadPrep): pass
except TypeError as e:
    print("TypeError:", e)

class Base:
    def __init_subclass__(cls, tag=None, **kw):
        super().__init_subclass__(**kw)
        cls.tag = tag
class T(Base, tag="t"): pass
print(T.tag)
try:
    class T2(Base, bogus=1): pass
except TypeError as e:
    print("TypeError:", e)
try:
    class T3(unknown=1): pass
except TypeError as e:
    print("TypeError:", e)
