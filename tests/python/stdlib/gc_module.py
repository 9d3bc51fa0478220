# gc over the .NET collector: what CPython's reports, as far as it applies
import gc
print(gc.isenabled())
gc.disable(); print(gc.isenabled()); gc.enable(); print(gc.isenabled())
print(gc.collect(), gc.collect(0), type(gc.get_count()), len(gc.get_count()))
print(gc.get_threshold())
gc.set_threshold(500, 5)
print(gc.get_threshold())
gc.set_threshold(700, 10, 10)
print(gc.is_tracked(1), gc.is_tracked("a"), gc.is_tracked([]), gc.is_tracked({}) in (True, False))
print(gc.garbage, gc.callbacks, gc.get_debug(), gc.DEBUG_LEAK)
phases = []
def cb(phase, info):
    phases.append((phase, info["generation"]))
gc.callbacks.append(cb)
gc.collect()
gc.callbacks.remove(cb)
print(phases)
print(gc.get_referents([1, 2], (3,)))
print(gc.get_freeze_count(), gc.is_finalized(object()))
for bad in [lambda: gc.collect(5), lambda: gc.collect("x")]:
    try:
        bad()
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
import sys
print(type(gc).__name__, gc.__name__, "gc" in sys.builtin_module_names)
