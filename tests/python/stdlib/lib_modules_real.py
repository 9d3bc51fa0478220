# Lib's own string, enum, collections, types, copy, warnings (no stand-ins): what they need of the core.
import string, enum, collections, types, copy, warnings, datetime, pathlib, random, statistics, typing, functools

# string.Formatter over _string
f = string.Formatter()
print(f.format("{0}-{x!r:>5}-{y[1]}", "a", x="b", y=[0, 1]))
print(list(f.parse("a{b.c[0]!s:^3}d")))
print(string.Template("$who likes ${what}").substitute(who="tim", what="pie"))

# enum: IntEnum, IntFlag, StrEnum, Flag, auto, _convert_-style type(name, bases, ns, **kw)
class Color(enum.IntEnum):
    RED = 1
    GREEN = 2
class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1
class Shade(enum.StrEnum):
    DARK = enum.auto()
class Opt(enum.Flag):
    A = enum.auto()
    B = enum.auto()
print(Color.RED, repr(Color.GREEN), Color.RED + 1, f"{Color.GREEN:>4}", Color(2).name)
print(Perm.R | Perm.W, repr(Perm.R | Perm.X), int(Perm.R | Perm.W | Perm.X))
print(Shade.DARK, repr(Shade.DARK), Opt.A | Opt.B, list(Opt))
print('__new__' in int.__dict__, int.__new__(Color, 2) if False else int.__new__(int, "7"))

# collections: defaultdict (C-level), UserDict, Counter, namedtuple
dd = collections.defaultdict(list, a=[1])
dd["b"].append(2)
print(dd, repr(collections.defaultdict()), dd.default_factory, hasattr(dd, "__dict__"))
print(copy.copy(dd), copy.deepcopy(dd), type(dd | {"c": 3}).__name__, dd.__reduce__()[:2])
try:
    collections.defaultdict(1)
except TypeError as e:
    print("TypeError", e)
try:
    collections.defaultdict()["k"]
except KeyError as e:
    print("KeyError", e)
class Sub(collections.defaultdict):
    pass
print(repr(Sub(int, {1: 2})))
ud = collections.UserDict({"x": 1})
ud["y"] = 2
print(ud, len(ud), "x" in ud)
print(collections.Counter("abracadabra").most_common(3))
P = collections.namedtuple("P", "x y")
print(P(1, 2), "%s and %s" % P(3, 4))

# types and descriptors
print(types.GetSetDescriptorType.__name__, types.MemberDescriptorType.__name__, type(types.FunctionType.__code__).__name__)

# __slots__: a name twice (datetime), empty __slots__ on two lines (pathlib), slots with a built-in base
print(datetime.datetime(2024, 1, 2, 3, 4, 5) - datetime.timedelta(days=1), datetime.date(2024, 2, 29).isoformat())
print(pathlib.PurePosixPath("/a/b/c.txt").suffix, pathlib.PurePosixPath("/a") / "b")
class Base:
    __slots__ = ("x",)
class L1(Base):
    __slots__ = ()
class L2(Base):
    __slots__ = ()
class Both(L1, L2):
    __slots__ = ()
b = Both()
b.x = 5
print(b.x, [c.__name__ for c in Both.__mro__])
class Other:
    __slots__ = ("y",)
try:
    class Bad(L1, Other):
        pass
except TypeError as e:
    print("TypeError", e)
class Tagged(list):
    __slots__ = ("tag",)
t = Tagged([1, 2])
t.tag = "t"
print(t, t.tag)

# copy/pickle protocol of plain instances (object.__reduce_ex__)
class Pt:
    __slots__ = ("a", "b")
    def __init__(self, a, b):
        self.a, self.b = a, b
p2 = copy.deepcopy(Pt([1], 2))
print(p2.a, p2.b, Pt(1, 2).__reduce_ex__(2)[2])

# warnings over Lib's pure path
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    warnings.warn("careful", UserWarning)
print([(w.category.__name__, str(w.message)) for w in caught])

# bytearray mutators
ba = bytearray(b"abc")
ba.insert(0, 122); ba.remove(98); ba.reverse()
print(ba, ba.pop(0), ba.copy(), bytearray(b"xy").clear())

random.seed(3)
print(random.randint(1, 100), statistics.mean([1, 2, 3, 4]), typing.get_origin(typing.List[int]))
print(functools.reduce(lambda a, b: a * b, range(1, 6)), functools.lru_cache(maxsize=2)(lambda n: n * 2)(4))
