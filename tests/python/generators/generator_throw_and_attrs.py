# gen.throw, generator attributes as getset descriptors, __next__ docs
# gen.throw(E) where E() makes no exception: the TypeError is raised inside the generator (CPython's _gen_throw)
class E(Exception):
    def __new__(cls, *args, **kwargs):
        return cls
def boring():
    yield
g = boring()
try:
    g.throw(E)
except TypeError as e:
    print('TypeError', e)
print(next(g, 'exhausted'))
def catching():
    try:
        yield
    except TypeError as e:
        print('inside:', e)
        yield 'caught'
g = catching()
next(g)
print(g.throw(E))
def h():
    yield 1
i = h()
print([s for s in dir(i) if not s.startswith('_')], i.__next__.__doc__)
try:
    i.gi_running = 42
except AttributeError as e:
    print(e)
print(type(i).__dict__['gi_running'])
