# Subclasses of int, str, float, tuple, list and dict carry their value: base methods, operators,
# conversions, hashing and formatting see it; instances keep attributes; overrides win.
class Weekday(int):
    _names = {}
    def __new__(cls, value, name):
        obj = int.__new__(cls, value)
        obj.label = name
        cls._names[value] = obj
        return obj
    def __repr__(self):
        return f"<Weekday.{self.label}: {int(self)}>"
    def __str__(self):
        return f"Weekday.{self.label}"
MON = Weekday(0, "MON")
TUE = Weekday(1, "TUE")
print(MON, repr(TUE), TUE > MON, TUE + 1, [MON, TUE], f"{TUE}", "%d %s %r" % (TUE, TUE, TUE), format(TUE, "x"), hex(TUE), bin(TUE))
print(["a", "b"][TUE], range(5)[TUE], list(range(TUE + 2)), bool(MON), bool(TUE), TUE ** 2, TUE / 2, -TUE, ~TUE, TUE.real, TUE.numerator)
print(Weekday._names, isinstance(TUE, Weekday), type(TUE) is Weekday, issubclass(Weekday, int), int(TUE) is not TUE)
print(hash(TUE) == 1, {TUE: 'x'}, {1: 'y'}[TUE], TUE in {1, 2}, sorted([TUE, MON, 0.5]), max(MON, TUE))
class Celsius(float):
    def __repr__(self):
        return f"{float(self)}C"
c = Celsius("36.6")
print(c, repr(c), c + 0.4, type(c + 0.4).__name__, c.hex() == (36.6).hex(), c.is_integer(), round(c, 0), int(c), f"{c:.2f}", float(c) == 36.6, c == 36.6, hash(c) == hash(36.6))
print(Celsius(), Celsius(2), Celsius(" 1e3 "), abs(Celsius(-1.5)), type(abs(Celsius(-1.5))).__name__, divmod(Celsius(7.5), 2), c.as_integer_ratio()[1] > 0)
class Path(str):
    def parts(self):
        return self.split("/")
    def __truediv__(self, other):
        return Path(self + "/" + other)
p = Path("usr") / "lib" / "x"
print(p, repr(p), type(p).__name__, p.parts(), p.upper(), type(p.upper()).__name__, p.replace("/", "."), len(p), p[::-1], type(p[0]).__name__)
print(p == "usr/lib/x", p < "z", "lib" in p, p.find("lib"), p.count("/"), p.encode(), str(p), type(str(p)).__name__, p * 2, type(p * 2).__name__)
print(f"{p!r:>20}", "%-12s|" % p, "{}".format(p), ", ".join([p, p]), p.join(["a", "b"]), int(Path("42")) + 1, float(Path("1.5")))
class Upper(str):
    def __new__(cls, s=""):
        return super().__new__(cls, s.upper())
print(Upper("abc"), Upper(), repr(Upper("x")), Upper("q") + Upper("r"), isinstance(Upper("a"), str))
d = {Upper("k"): 1}
print(d["K"], "K" in d, d)
class Pair(tuple):
    __slots__ = ()
    def __new__(cls, a, b):
        return tuple.__new__(cls, (a, b))
    def swap(self):
        return Pair(self[1], self[0])
    def __add__(self, other):
        return Pair(self[0] + other[0], self[1] + other[1])
pp = Pair(1, 2)
print(pp, pp.swap(), pp + Pair(10, 20), type(pp + Pair(1, 1)).__name__, pp[0], pp[-1], pp[:1], type(pp[:1]).__name__, len(pp), hash(pp) == hash((1, 2)), pp == (1, 2))
x, y = pp.swap()
print(x, y, tuple(pp), list(pp), sorted([Pair(3, 1), Pair(1, 9)]), {pp: 1}[(1, 2)])
class Bag(list):
    def __init__(self, *items):
        super().__init__(items)
        self.label = "bag"
b = Bag(3, 1, 2)
b.sort()
print(b, b.label, len(b), b * 2, type(b * 2).__name__, b == [1, 2, 3], b.copy(), type(b.copy()).__name__, [x * 2 for x in b], b[::-1])
b.extend([7]); b += [8]; print(b, type(b).__name__, b.pop(), b.index(7), sum(b), repr(b))
class AttrDict(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)
    def __setattr__(self, name, value):
        self[name] = value
ad = AttrDict(a=1)
ad.b = 2
print(ad, ad.a, ad.b, len(ad), sorted(ad), ad.get("c", 3), type(ad.copy()).__name__, isinstance(ad, dict), dict(ad))
try:
    ad.zzz
except AttributeError as e:
    print("AttributeError", e)
class Strict(int):
    def __eq__(self, other):
        return type(other) is Strict and int(self) == int(other)
    __hash__ = int.__hash__
print(Strict(1) == 1, Strict(1) == Strict(1), 1 == Strict(1), Strict(2) != 2, hash(Strict(5)))
class Num(int):
    pass
n = Num(5)
n.note = "five"
print(n, n.note, vars(n), n + n, type(n + n).__name__, n.__class__.__name__, Num("12"), Num("ff", 16), Num(3.9), Num())
print(type(Num(5) * 1).__name__, type(+Num(5)).__name__, type(abs(Num(5))).__name__, type(int(Num(5))).__name__, type(round(Num(5))).__name__, int.__repr__(Num(5)))
