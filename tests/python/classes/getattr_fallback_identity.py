# An AttributeError raised by a descriptor's __get__ during the ordinary lookup falls back to __getattr__
# (slot_tp_getattr_hook), for instances and for classes through their metaclass; a class's __name__ and
# __qualname__ are the same str object each time (inspect compares attributes by identity).
from enum import Enum
from types import DynamicClassAttribute
import inspect


class Base(Enum):
    @DynamicClassAttribute
    def test(self):
        return 'dynamic'


class Test(Base):
    test = 1


print(Test.test.test, Test.test.value, 'test' in Test.__dict__)


class Raiser:
    def __get__(self, obj, owner):
        raise AttributeError("from get")


class WithGetattr:
    x = Raiser()

    def __getattr__(self, name):
        return "fallback " + name


w = WithGetattr()
print(w.x, getattr(w, 'x', 'default'), hasattr(w, 'x'), w.y)


class NoGetattr:
    x = Raiser()


try:
    NoGetattr().x
except AttributeError as e:
    print("AttributeError", e)
print(getattr(NoGetattr(), 'x', 'default'))


class Color(Enum):
    RED = 1


print(Color.__name__ is Color.__name__, Color.__qualname__ is Color.__qualname__)
names = sorted(a.name for a in inspect.classify_class_attrs(Color))
print(names)
