# weakref callbacks run when the referent dies (after gc.collect()), most recent ref first, with
# the ref as argument; a dead ref's callback never runs; __callback__ is None afterwards.
import gc
import weakref

class Obj:
    pass

calls = []
refs = []

def watch():
    o = Obj()
    refs.append(weakref.ref(o, lambda r: calls.append(("first", r() is None))))
    refs.append(weakref.ref(o, lambda r: calls.append(("second", r is refs[1]))))
    weakref.ref(o, lambda r: calls.append("never: this ref died first"))
    refs.append(weakref.proxy(o, lambda p: calls.append("proxy")))

watch()
gc.collect()
print(calls)
print(refs[0]() is None, refs[0].__callback__, " to NoneType at " in repr(refs[2]))
try:
    refs[2].anything
except ReferenceError as e:
    print("ReferenceError:", e)

# getweakrefs order: the basic ref, the basic proxy, then the others newest first
o = Obj()
r_cb = weakref.ref(o, print)
basic = weakref.ref(o)
p = weakref.proxy(o)
r_cb2 = weakref.ref(o, len)
order = weakref.getweakrefs(o)
print([x is y for x, y in zip(order, [basic, p, r_cb2, r_cb])], weakref.getweakrefcount(o))
print(weakref.ref(o) is basic, weakref.proxy(o) is p)

# A callback that raises goes to sys.unraisablehook
import sys
seen = []
def hook(u):
    seen.append((u.exc_type.__name__, str(u.exc_value), u.object is bad, u.err_msg))
sys.unraisablehook = hook
def bad(r):
    raise ValueError("boom")
def raising():
    o = Obj()
    refs.append(weakref.ref(o, bad))
raising()
gc.collect()
print(seen)

class Fails:
    def __del__(self):
        raise KeyError("in __del__")
def raising_del():
    Fails()
seen.clear()
def hook2(u):
    seen.append((u.exc_type.__name__, u.object is Fails.__del__))
sys.unraisablehook = hook2
raising_del()
gc.collect()
print(seen)
sys.unraisablehook = sys.__unraisablehook__
