# m.__call__ of a bound method (built-in or Python) calls the method with its self, so a decorator
# written as `@[f][0].__call__.__call__` works.
def null(x):
    return x

print(null.__call__.__call__(3))
print(null.__call__.__call__.__call__(4))

class A:
    def f(self, y):
        return (type(self).__name__, y)

a = A()
print(a.f.__call__(1))
print(a.f.__call__.__call__(2))
print([].append.__call__.__self__ is not None)

@[null][0].__call__.__call__
def decorated(x):
    return x * 2

print(decorated(21))
