# abc is CPython's Lib/abc.py over our C-level _abc (Modules/AbcModule.cs)
import abc, sys
print(abc.ABCMeta.__module__, "abc" in sys.modules, "_abc" in sys.modules)
class A(abc.ABC):
    @abc.abstractmethod
    def f(self): ...
    @abc.abstractmethod
    def g(self): ...
try:
    A()
except TypeError as e:
    print("TypeError", e)
class B(A):
    def f(self): return 1
    def g(self): return 2
print(B().f(), sorted(A.__abstractmethods__), B.__abstractmethods__)
class C(A):
    def f(self): return 1
try:
    C()
except TypeError as e:
    print("TypeError", e)
A.register(int)
print(isinstance(3, A), issubclass(int, A), isinstance("x", A), issubclass(bool, A))
class Hook(abc.ABC):
    @classmethod
    def __subclasshook__(cls, C):
        if hasattr(C, "quack"): return True
        return NotImplemented
class Duck:
    def quack(self): pass
print(isinstance(Duck(), Hook), issubclass(list, Hook))
try:
    A.register(3)
except TypeError as e:
    print("TypeError", e)
try:
    B.register(A)
except RuntimeError as e:
    print("RuntimeError", e)
t0 = abc.get_cache_token(); A.register(float); print(abc.get_cache_token() - t0)
print(type(A).__name__, A.register(str) is str)
class P(metaclass=abc.ABCMeta):
    @property
    @abc.abstractmethod
    def x(self): ...
print(P.__abstractmethods__)
print(object.__subclasshook__(int))
# registry reaches subclasses of the ABC, and abstract classmethods/staticmethods
class Base(abc.ABC): pass
class Mid(Base): pass
class Virtual: pass
Mid.register(Virtual)
print(issubclass(Virtual, Base), isinstance(Virtual(), Mid), issubclass(Base, Mid), Base.__subclasses__() == [Mid])
class K(abc.ABC):
    @classmethod
    @abc.abstractmethod
    def make(cls): ...
    @staticmethod
    @abc.abstractmethod
    def util(): ...
print(sorted(K.__abstractmethods__))
class Concrete(K):
    @classmethod
    def make(cls): return cls()
    @staticmethod
    def util(): return 7
print(type(Concrete.make()).__name__, Concrete.util())
def m(self): return 1
class Later(abc.ABC):
    @abc.abstractmethod
    def m(self): ...
Later.m = m
abc.update_abstractmethods(Later)
print(Later.__abstractmethods__, type(Later()).__name__)
print(abc.ABC.__module__, abc.ABCMeta.__name__, isinstance(abc.ABC, abc.ABCMeta))
try:
    issubclass(3, A)
except TypeError as e:
    print("TypeError", e)
class BadHook(abc.ABC):
    @classmethod
    def __subclasshook__(cls, C): return 3
try:
    issubclass(int, BadHook)
except AssertionError as e:
    print("AssertionError", e)
