# __del__ runs once the object is unreachable and gc.collect() has run; once per object (PEP 442),
# even when it resurrects the object; gc.is_finalized tells.
import gc

log = []

class Tracked:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        log.append("del " + self.name)

def make_and_drop():
    a = Tracked("a")
    b = Tracked("b")
    a.partner = b          # a cycle: no reference count would ever free these
    b.partner = a

make_and_drop()
gc.collect()
print(sorted(log))

saved = []
class Phoenix:
    def __del__(self):
        log.append("phoenix del")
        saved.append(self)  # resurrect

def drop_phoenix():
    Phoenix()

log.clear()
drop_phoenix()
gc.collect()
print(log, len(saved), gc.is_finalized(saved[0]))
saved.clear()
gc.collect()
print(log)  # not called a second time

# __del__ inherited, and assigned to the class after it was made
class Base:
    def __del__(self):
        log.append("base del " + type(self).__name__)
class Derived(Base):
    pass
class Late:
    pass
Late.__del__ = lambda self: log.append("late del")

def drop_more():
    Derived()
    Late()
    l = ListWithDel([1, 2])

class ListWithDel(list):
    def __del__(self):
        log.append("list del %d" % len(self))

log.clear()
drop_more()
gc.collect()
print(sorted(log))

# An object not yet unreachable is not finalized
keep = Tracked("kept")
log.clear()
gc.collect()
print(log, gc.is_finalized(keep))
