# function __annotations__: evaluated at def time, in parameter order, "return" last; settable; empty by default
def f(a: int, b: "str" = "x", *args: float, c: list = None, **kw: dict) -> bool:
    return True
print(f.__annotations__)
print(list(f.__annotations__))

def g(x, y):
    pass
print(g.__annotations__, g.__annotations__ is g.__annotations__)
g.__annotations__ = {"x": int}
print(g.__annotations__)
try:
    g.__annotations__ = 5
except TypeError as e:
    print("TypeError:", e)
print("__annotations__" in g.__dict__)

def pos(a: 1, /, b: 2, *, c: 3) -> 4:
    pass
print(pos.__annotations__)

calls = []
def note(v):
    calls.append(v)
    return v
def order(p: note("p"), q: note("q") = note("default")) -> note("ret"):
    pass
print(calls)

def outer():
    T = tuple
    def inner(x: T) -> T:
        return x
    return inner
print(outer().__annotations__)

class K:
    def m(self, v: int) -> None:
        pass
    x: int = 3
print(K.m.__annotations__, K.__annotations__)
print((lambda z: z).__annotations__)
