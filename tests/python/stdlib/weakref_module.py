# _weakref (C-level module; Lib's weakref.py needs coroutines for _collections_abc, so it is used directly here):
# references to live objects only (no line depends on when the collector runs).
import _weakref as weakref


class Node:
    def __init__(self, name):
        self.name = name

    def hello(self):
        return "hello " + self.name


a = Node("a")
r = weakref.ref(a)
print(r() is a, r is weakref.ref(a), weakref.ref is weakref.ReferenceType, weakref.ReferenceType is weakref.ref)
print(weakref.getweakrefcount(a), weakref.getweakrefs(a) == [r])
cb = lambda w: None
r2 = weakref.ref(a, cb)
print(r2 is not r, r2.__callback__ is cb, r.__callback__, weakref.getweakrefcount(a))
print(r == r2, hash(r) == hash(a), type(r).__name__)

for bad in (1, "s", (1,), None, 1.5, [], {}):
    try:
        weakref.ref(bad)
    except TypeError as e:
        print("TypeError:", e)


class L(list):
    pass


print(weakref.ref(L([1, 2])) is not None)


class KeyedLike(weakref.ref):
    def __new__(cls, ob, callback, key):
        self = weakref.ref.__new__(cls, ob, callback)
        self.key = key
        return self

    def __init__(self, ob, callback, key):
        super().__init__(ob, callback)


k = KeyedLike(a, None, "the-key")
print(k() is a, k.key, isinstance(k, weakref.ref))

p = weakref.proxy(a)
print(p.name, p.hello(), type(p) is weakref.ProxyType)
p.name = "b"
print(a.name)
f = weakref.proxy(Node.hello)
print(type(f) is weakref.CallableProxyType, f(a))

dd = {"k": weakref.ref(a)}
weakref._remove_dead_weakref(dd, "k")
print(list(dd))

print(weakref.ref, weakref.ProxyType, weakref.CallableProxyType, repr(r).startswith("<weakref at 0x"))
for call in (lambda: r(1), lambda: weakref.ref(), lambda: weakref.ref(a, None, 1), lambda: weakref.getweakrefcount()):
    try:
        call()
    except TypeError as e:
        print("TypeError:", e)
