# Lib's weak containers clean up through weakref callbacks: WeakValueDictionary,
# WeakKeyDictionary, WeakSet, weakref.finalize.
import gc
import weakref

class Obj:
    def __init__(self, n):
        self.n = n
    def __repr__(self):
        return "Obj(%d)" % self.n

keep = [Obj(0), Obj(1)]
wvd = weakref.WeakValueDictionary()
wkd = weakref.WeakKeyDictionary()
ws = weakref.WeakSet()

def fill():
    for i in range(2, 6):
        o = Obj(i)
        wvd[i] = o
        wkd[o] = i
        ws.add(o)
    for o in keep:
        wvd[o.n] = o
        wkd[o] = o.n
        ws.add(o)

fill()
gc.collect()
print(sorted(wvd.keys()), sorted(wkd.values()), sorted(o.n for o in ws))
print(len(wvd), len(wkd), len(ws))

out = []
def with_finalizer():
    o = Obj(7)
    f = weakref.finalize(o, out.append, "finalized 7")
    return f

f = with_finalizer()
gc.collect()
print(out, f.alive, f())

# detach() and calling a finalizer early: it runs once
o = Obj(8)
f2 = weakref.finalize(o, out.append, "finalized 8")
print(f2(), f2(), out[-1])
f3 = weakref.finalize(o, out.append, "never")
print(f3.detach()[0] is o, f3.alive)
del o
gc.collect()
print(out)
