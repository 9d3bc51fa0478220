# Special methods found on the type are bound as CPython's lookup_maybe_method binds them: a property,
# classmethod, staticmethod or any object with __get__ goes through __get__; an object without __get__
# (a class, a callable instance) is called without the instance.
def t(f):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)


def booh(self):
    raise AttributeError("booh")


class E:
    __eq__ = property(booh)


t(lambda: E() == E())     # the getter's AttributeError is cleared: NotImplemented, then identity


class I:
    __init__ = property(booh)


t(lambda: I())


class P:
    @property
    def __len__(self): return lambda: 3
    @property
    def __hash__(self): return lambda: 7
    @property
    def __repr__(self): return lambda: "rep"
    @property
    def __str__(self): return lambda: "str"
    @property
    def __eq__(self): return lambda o: "eq"
    @property
    def __iter__(self): return lambda: iter([1, 2])
    @property
    def __getitem__(self): return lambda i: i * 2
    @property
    def __add__(self): return lambda o: ("add", o)
    @property
    def __radd__(self): return lambda o: ("radd", o)
    @property
    def __neg__(self): return lambda: "neg"
    @property
    def __call__(self): return lambda *a: ("call", a)
    @property
    def __bool__(self): return lambda: False
    @property
    def __contains__(self): return lambda x: True
    @property
    def __format__(self): return lambda spec: "fmt " + spec


p = P()
t(lambda: len(p)); t(lambda: hash(p)); t(lambda: repr(p)); t(lambda: str(p)); t(lambda: p == 1)
t(lambda: list(p)); t(lambda: p[4]); t(lambda: p + 1); t(lambda: 1 + p); t(lambda: -p)
t(lambda: p(1, 2)); t(lambda: bool(p)); t(lambda: 3 in p); t(lambda: format(p, "x"))


class R:
    __eq__ = staticmethod(lambda a, b: "static")
    __repr__ = classmethod(lambda c: "cls " + c.__name__)
    __call__ = int


t(lambda: R() == 1); t(lambda: repr(R())); t(lambda: R()("5"))


class Getter:
    def __get__(self, obj, owner):
        return lambda *a: ("got", type(obj).__name__, owner.__name__, a)


class Plain:
    def __call__(self, *a):
        return ("plain", len(a))


class G:
    __getitem__ = Getter()
    __len__ = Plain()


t(lambda: G()[1])
t(lambda: len(G()))
