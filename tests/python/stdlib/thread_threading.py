# threading (CPython's Lib/threading.py over our _thread): Thread, join, Event, Condition, Semaphore, Barrier,
# Timer, local, excepthook, enumerate; queue. Outputs are printed after every join.
import threading, queue, time, sys

ev = threading.Event()
got = []
def waiter():
    ev.wait()
    got.append("woke")
t = threading.Thread(target=waiter, name="waiter")
t.start()
ev.set()
t.join()
print(got, t.is_alive(), t.name)

cv = threading.Condition()
items, out = [], []
def producer():
    for i in range(5):
        with cv:
            items.append(i)
            cv.notify()
def consumer():
    for _ in range(5):
        with cv:
            while not items:
                cv.wait()
            out.append(items.pop(0))
c = threading.Thread(target=consumer)
p = threading.Thread(target=producer)
c.start(); p.start(); p.join(); c.join()
print(out)

sem = threading.BoundedSemaphore(2)
barrier = threading.Barrier(3)
res = []
def bw(i):
    with sem:
        res.append(i)
    barrier.wait()
ths = [threading.Thread(target=bw, args=(i,)) for i in range(3)]
for x in ths: x.start()
for x in ths: x.join()
print(sorted(res), barrier.broken)
try:
    sem.release()
except ValueError as e:
    print("ValueError", e)

tm = threading.Timer(0.01, lambda: res.append("timer"))
tm.start(); tm.join()
print(res[-1])

q = queue.Queue()
doubled = []
def qw():
    while True:
        v = q.get()
        if v is None:
            break
        doubled.append(v * 2)
        q.task_done()
w = threading.Thread(target=qw, daemon=True)
w.start()
for i in range(4):
    q.put(i)
q.join(); q.put(None); w.join()
print(doubled, w.daemon)

loc = threading.local()
loc.x = 1
vals = []
def lw():
    vals.append(hasattr(loc, "x"))
    loc.x = 2
    vals.append(loc.x)
t = threading.Thread(target=lw); t.start(); t.join()
print(loc.x, vals)
class Counter(threading.local):
    def __init__(self, start):
        self.n = start
cnt = Counter(7)
def cw():
    cnt.n += 1
    vals.append(cnt.n)
t = threading.Thread(target=cw); t.start(); t.join()
print(cnt.n, vals[-1])

def sleeper():
    time.sleep(0.02)
    vals.append("slept")
t = threading.Thread(target=sleeper); t.start(); t.join(); print(vals[-1])

# two CPU-bound threads both make progress (the interpreter lock switches between them)
counter = [0, 0]
stop = threading.Event()
def spin(i):
    while not stop.is_set():
        counter[i] += 1
a = threading.Thread(target=spin, args=(0,)); b = threading.Thread(target=spin, args=(1,))
a.start(); b.start()
while counter[0] < 1000 or counter[1] < 1000:
    time.sleep(0.005)
stop.set(); a.join(); b.join()
print("both ran", counter[0] >= 1000 and counter[1] >= 1000)

hooked = []
old = threading.excepthook
threading.excepthook = lambda args: hooked.append((args.exc_type.__name__, str(args.exc_value), args.thread.name))
def boom():
    raise ValueError("bad")
t = threading.Thread(target=boom, name="T1"); t.start(); t.join()
threading.excepthook = old
print(hooked)

print(threading.active_count(), [th.name for th in threading.enumerate()], threading.current_thread() is threading.main_thread())
print(threading.get_ident() == threading.main_thread().ident, isinstance(threading.get_native_id(), int))
rl = threading.RLock()
with rl:
    with rl:
        print("reentrant", rl._is_owned())
t = threading.Thread(target=lambda: None)
print(repr(t).startswith("<Thread(Thread-"), "initial" in repr(t))
t.start(); t.join()
print("stopped" in repr(t))
try:
    t.start()
except RuntimeError as e:
    print("RuntimeError", e)
print(sys.getswitchinterval())
sys.setswitchinterval(0.001)
print(sys.getswitchinterval())
