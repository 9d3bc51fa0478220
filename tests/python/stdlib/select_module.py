# select over the real system calls: select(), poll objects, epoll objects, on pipes; errors as CPython's.
import posix as os  # the C-level module: Lib's os.py is not used yet
import select

print(sorted(n for n in dir(select) if n.startswith(("POLL", "EPOLL"))))
print(select.POLLIN, select.POLLOUT, select.EPOLLIN, select.EPOLLET, select.EPOLL_CLOEXEC, select.error is OSError)

r, w = os.pipe()


def named(events):
    """poll results with the descriptors named (their numbers depend on what else the process has open)."""
    return sorted(({r: "r", w: "w"}[fd], ev) for fd, ev in events)


print(select.select([r], [w], [], 0) == ([], [w], []))
os.write(w, b"x")
print(select.select([r], [w], [r], 0.5) == ([r], [w], []))


class Wrapped:
    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd


wr = Wrapped(r)
res = select.select([wr], [], [], None)
print(res[0][0] is wr, res[1:])
for args in [([], [], [], -1), ([], [], [], "a"), ([-1], [], [], 0), ([1.5], [], [], 0), ([5000], [], [], 0)]:
    try:
        select.select(*args)
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)

p = select.poll()
print(type(p).__name__)
p.register(r)
p.register(w, select.POLLOUT)
print(named(p.poll(0)))
p.modify(w, select.POLLIN)
print(named(p.poll(0.5)))
p.unregister(w)
try:
    p.unregister(w)
except KeyError as e:
    print("KeyError", e.args[0] == w)
try:
    p.modify(w, select.POLLIN)
except OSError as e:
    print(type(e).__name__, e.errno)

e = select.epoll()
print(type(e).__name__, e.closed, e.fileno() > 2)
e.register(r, select.EPOLLIN)
e.register(w, select.EPOLLOUT)
try:
    e.register(r)
except OSError as x:
    print(type(x).__name__, x.errno)
print(named(e.poll(0)))
print(len(e.poll(timeout=0.1, maxevents=1)))
os.read(r, 1)
e.modify(w, select.EPOLLIN)
print(e.poll(0))
e.unregister(w)
try:
    e.poll(0, maxevents=0)
except ValueError as x:
    print("ValueError", x)
e.close()
e.close()
print(e.closed)
try:
    e.fileno()
except ValueError as x:
    print("ValueError", x)
with select.epoll() as e2:
    e2.register(r)
    os.write(w, b"y")
    print(e2.poll(1.0) == [(r, select.EPOLLIN)])
print(e2.closed)
os.close(r)
os.close(w)

# Lib's selectors on top: the default selector is epoll's
import selectors

sel = selectors.DefaultSelector()
print(type(sel).__name__)
r2, w2 = os.pipe()
key = sel.register(r2, selectors.EVENT_READ, "data")
print(key.events, key.data, key.fd == r2, selectors.SelectorKey.fd.__doc__)
print(sel.select(0))
os.write(w2, b"z")
print([(k.data, ev) for k, ev in sel.select(1)])
sel.unregister(r2)
sel.close()
os.close(r2)
os.close(w2)
