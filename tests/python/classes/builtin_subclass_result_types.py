# Builtin operations on subclass instances return the exact base type (as CPython does), and
# enum.IntEnum / IntFlag / str-mixin members are real ints and strs.
class S(str):
    pass
s = S("abc")
for r in [s.strip(), s.lower(), s.replace("z", "y"), s[:], s[0:3], "".join([s]), s.center(2), s.ljust(1), s.zfill(1), format(s), s.expandtabs(), s.lstrip(), s.rstrip("z"), s.title() if False else s.casefold(), s.removeprefix("q"), s.removesuffix("q"), s.swapcase().swapcase(), str(s), s + "", s * 1, "%s" % s, f"{s}", s.partition("z")[2], s.split()[0], s.rsplit()[0], s.splitlines()[0], s.translate({})]:
    print(type(r).__name__, end=" ")
print()
class F(float):
    pass
f = F(2.5)
for r in [f + 0, f * 1, abs(f), -f, +f, f.conjugate(), f.real, round(f, 1), float(f), f.__float__(), f ** 1, f // 1, f % 10, divmod(f, 1)[1], min(f, 9.0), f.__round__(1), max([f])]:
    print(type(r).__name__, end=" ")
print()
class I(int):
    pass
i = I(7)
for r in [i + 0, i * 1, abs(i), -i, +i, i.conjugate(), i.real, round(i), int(i), i.__int__(), i.__index__(), i ** 1, i // 1, i % 10, i & -1, i | 0, i << 0, i >> 0, ~~i, min(i, 9), i.__round__(), i.__trunc__(), i.__floor__(), i.__ceil__(), max([i]), True + i, sum([i])]:
    print(type(r).__name__, end=" ")
print()
class T(tuple):
    pass
t = T((1, 2))
for r in [t + (), t * 1, t[:], tuple(t), t[0:2], (*t,)]:
    print(type(r).__name__, end=" ")
print()
class L(list):
    pass
l = L([1, 2])
for r in [l + [], l * 1, l[:], list(l), l.copy(), [*l], sorted(l)]:
    print(type(r).__name__, end=" ")
print()
class D(dict):
    pass
d = D(a=1)
for r in [d.copy(), dict(d), {**d}, d | {}, D.fromkeys("ab")]:
    print(type(r).__name__, end=" ")
print()
import enum
class Color(enum.IntEnum):
    RED = 1
    GREEN = 2
print(Color.RED, repr(Color.GREEN), Color.RED + 1, Color.GREEN == 2, Color(2), isinstance(Color.RED, int), sorted([Color.GREEN, Color.RED]), int(Color.GREEN), Color.RED < Color.GREEN, [c.name for c in Color])
print(f"{Color.RED}", "%d" % Color.GREEN, Color.RED.value, Color["GREEN"], hash(Color.RED) == hash(1), {1: "a"}[Color.RED], Color.RED.bit_length())
class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1
print(Perm.R | Perm.W, int(Perm.R | Perm.X), Perm.R & 4, type(Perm.R).__name__)
class Shade(str, enum.Enum):
    DARK = "dark"
    LIGHT = "light"
print(Shade.DARK, repr(Shade.LIGHT), Shade.DARK == "dark", Shade("light"), Shade.DARK.upper(), isinstance(Shade.DARK, str), Shade.DARK.value)
