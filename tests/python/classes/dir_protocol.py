# dir() calls __dir__ looked up on the type (a metaclass's for a class) and sorts what it returns;
# type's data descriptors (__name__, __qualname__...) win over a class attribute of that name.
import types


class Meta(type):
    def __dir__(cls):
        return ['zeta', 'alpha', 'mid']


class A(metaclass=Meta):
    x = 1


print(dir(A))


class B:
    def __dir__(self):
        return ('b', 'a')


print(dir(B()))
print('x' in dir(type('T', (), {'x': 1})), 'x' in dir(type('T', (), {'x': 1})()))


class NoList:
    def __dir__(self):
        return 5


try:
    dir(NoList())
except TypeError as e:
    print("TypeError", e)

m = types.ModuleType('m')
m.__dir__ = lambda: ['q', 'p']
print(dir(m))
print(sorted(object.__dir__(B()))[:3], type(object.__dir__(B())).__name__)


class Named(int):
    @property
    def __name__(self):
        return "instance-name"


print(Named.__name__, Named(3).__name__, type(Named(3)).__name__)
