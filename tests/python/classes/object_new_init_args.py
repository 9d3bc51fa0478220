# object.__new__ / object.__init__ with extra arguments (CPython's excess_args rules), the tp_new_wrapper
# safety check, and bool's constructor.
def t(f):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)


class C:
    pass


t(lambda: C(42)); t(lambda: C.__new__(C, 42)); t(lambda: C().__init__(42))
t(lambda: object.__new__(C, 42)); t(lambda: object.__init__(C(), 42)); t(lambda: C(x=1))


class D:
    def __new__(cls, *args, **kwargs):
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


t(lambda: D(42)); t(lambda: D.__new__(D, 42)); t(lambda: object.__new__(D, 42))


class E:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


t(lambda: type(E())); t(lambda: E().__init__(42)); t(lambda: object.__init__(E(), 42))
t(lambda: type(object.__new__(E, 42)))


class N:
    def __new__(cls, *args):
        return super().__new__(cls)


t(lambda: type(N(1, 2))); t(lambda: object.__init__(N(), 1))


class J(int):
    pass


t(lambda: object.__new__(J)); t(lambda: int.__new__(J, 3)); t(lambda: int.__new__(bool, 0))
t(lambda: float.__new__(bool, 0)); t(lambda: object.__new__(1)); t(lambda: object.__new__())

t(lambda: bool(42, 42)); t(lambda: bool(x=1)); t(lambda: bool()); t(lambda: bool.__new__(bool, 1))
t(lambda: bool.from_bytes(b'\x00' * 8, 'big')); t(lambda: bool.from_bytes(b'abcd', 'little'))
t(lambda: (J.from_bytes(b'\x01', 'big'), type(J.from_bytes(b'\x01', 'big')).__name__))


class L:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


for n in (-1, 2 ** 70, 1.5, True, 0, 3):
    t(lambda: bool(L(n)))
    t(lambda: len(L(n)))


class B:
    def __bool__(self):
        return 1


t(lambda: bool(B()))


class S:
    y = 0
    __slots__ = ('z',)


def setter(): S().y = 0
def deleter(): del S().y
def setx(): S().x = 0
t(setter); t(deleter); t(setx); t(lambda: object().__setattr__('__eq__', 1))
