# Instances of built-in types have no __module__ (only classes do); 1 / MyFloat(x) calls the float
# subclass's __rtruediv__ (int's own slots return NotImplemented for a float).
for obj in (0, "", 1.5, [], None):
    print(type(obj).__name__, hasattr(obj, "__module__"))


class A:
    pass


print(A().__module__, A.__module__, int.__module__, len.__module__)


class MyFloat(float):
    def __rtruediv__(self, other):
        return type(self)(super().__rtruediv__(other))

    def __radd__(self, other):
        return type(self)(super().__radd__(other))


class Plain(float):
    pass


x = MyFloat(4.0)
print(type(1 / x).__name__, 1 / x, type(2 + x).__name__, type(2 * x).__name__, type(1 / Plain(2.0)).__name__)
print(type(True + x).__name__, 3 - Plain(0.5), 2 ** Plain(0.5))
