# _thread: locks, RLock, start_new_thread, _local, errors (outputs deterministic: every thread is waited for)
import _thread

lock = _thread.allocate_lock()
print(type(lock).__name__, type(lock) is _thread.LockType, lock.locked())
print(lock.acquire(), lock.locked(), lock.acquire(False), lock.acquire(timeout=0.01))
lock.release()
print(lock.locked())
with lock:
    print("inside", lock.locked())
print(_thread.error is RuntimeError, _thread.TIMEOUT_MAX)
for bad in [lambda: lock.release(), lambda: lock.acquire(False, 1), lambda: lock.acquire(True, -2),
            lambda: lock.acquire(True, 1e20), lambda: _thread.start_new_thread(1, ()),
            lambda: _thread.start_new_thread(print, []), lambda: _thread.start_new_thread(print, (), []),
            lambda: _thread.stack_size(100)]:
    try:
        bad()
    except Exception as e:
        print(type(e).__name__, e)

r = _thread.RLock()
r.acquire(); r.acquire()
print(r._is_owned(), hasattr(r, '_release_save'))
r.release(); r.release()
try:
    r.release()
except RuntimeError as e:
    print("RuntimeError", e)

done = _thread.allocate_lock()
done.acquire()
results = []
def worker(a, b, c=0):
    results.append((a, b, c, _thread.get_ident() != main_ident))
    done.release()
main_ident = _thread.get_ident()
ident = _thread.start_new_thread(worker, (1, 2), {"c": 3})
done.acquire()
print(results, isinstance(ident, int))

# many threads incrementing under a lock
counter = [0]
finished = []
guard = _thread.allocate_lock()
all_done = _thread.allocate_lock()
all_done.acquire()
def add(n):
    for _ in range(n):
        with guard:
            counter[0] += 1
    with guard:
        finished.append(1)
        if len(finished) == 5:
            all_done.release()
for _ in range(5):
    _thread.start_new_thread(add, (2000,))
all_done.acquire()
print(counter[0])

loc = _thread._local()
loc.value = "main"
seen = []
def look():
    seen.append(hasattr(loc, "value"))
    loc.value = "thread"
    seen.append(loc.value)
    done.release()
_thread.start_new_thread(look, ())
done.acquire()
print(seen, loc.value)
try:
    _thread._local(1)
except TypeError as e:
    print("TypeError", e)
