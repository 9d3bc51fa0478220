# An exhausted iterator lets go of its container (CPython's iterators clear their reference), so
# the container is freed while the iterator lives on; abandoned generators suspended in
# try/finally or with are closed when collected, and their finally clauses run.
import gc

freed = []

def exhausted(kind, make_iter, cls, args):
    class Container(cls):
        def __del__(self):
            freed.append(kind)
    it = make_iter(Container(*args))
    for _ in it:
        pass
    return it

def check(kind, make_iter, cls, *args):
    it = exhausted(kind, make_iter, cls, args)  # alive, exhausted
    gc.collect()
    print(kind, kind in freed)

check("list", iter, list, [1, 2])
check("reversed list", reversed, list, [1, 2])
check("tuple", iter, tuple, (1, 2))
check("dict", iter, dict, {1: 2})
check("dict keys", lambda d: iter(d.keys()), dict, {1: 2})
check("dict values", lambda d: iter(d.values()), dict, {1: 2})
check("dict items", lambda d: iter(d.items()), dict, {1: 2})
check("set", iter, set, {1, 2})

log = []

def counting():
    try:
        for i in range(10):
            yield i
    finally:
        log.append("finally ran")

class Resource:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        log.append("exit " + (exc[0].__name__ if exc[0] else "clean"))

def with_block():
    with Resource():
        yield 1
        yield 2

def abandon():
    g = counting()
    next(g)
    next(g)
    h = with_block()
    next(h)
    plain = iter(range(3))
    next(plain)

abandon()
gc.collect()
print(sorted(log))

def finished():
    g = counting()
    for _ in g:
        pass
log.clear()
finished()
gc.collect()
print(log)  # closed once, by running to the end
