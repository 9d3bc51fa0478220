# Subclasses of int, str, float, tuple, list and dict carry their value: base methods, operators,
# conversions, hashing and formatting see it; instances keep attributes; overrides win.
class Color(int):
    def __repr__(self):
        return f"Color({int(self)})"
    def describe(self):
        return "color %d" % self
RED = Color(1)
print(RED, repr(RED), RED + 1, type(RED + 1).__name__, RED * 3, RED == 1, hash(RED) == hash(1))
print(isinstance(RED, int), RED.describe(), RED.bit_length(), str(RED), f"{RED}", f"{RED:03d}", [RED])
print({RED: 'r'}[1], sorted([Color(5), Color(2), 3]), -RED, abs(Color(-4)), RED << 2, divmod(Color(7), 2))
class Name(str):
    def __new__(cls, v):
        obj = super().__new__(cls, v.strip().title())
        obj.raw = v
        return obj
    def shout(self):
        return self.upper() + "!"
n = Name("  alice smith ")
print(n, repr(n), len(n), n.shout(), n.raw, n + "x", type(n + "x").__name__, n.split(), n == "Alice Smith", isinstance(n, str))
print(n[0], n[1:3], "Alice" in n, n.startswith("Al"), {n: 1}["Alice Smith"], f"<{n}>", "%s" % n, n.lower())
class Temp(float):
    def __new__(cls, c, unit="C"):
        self = super().__new__(cls, c)
        self.unit = unit
        return self
    def __str__(self):
        return f"{float(self):.1f}°{self.unit}"
t = Temp(21.5)
print(t, repr(t), t + 1, type(t * 2).__name__, t > 20, round(t), int(t), t.unit, t.is_integer())
class Point(tuple):
    def __new__(cls, x, y):
        return super().__new__(cls, (x, y))
    @property
    def x(self):
        return self[0]
    def __repr__(self):
        return f"Point{tuple.__repr__(self)}"
p = Point(3, 4)
print(p, p.x, len(p), p + (5,), type(p + (5,)).__name__, p == (3, 4), hash(p) == hash((3, 4)), list(p), p.count(3), p.index(4))
a, b = p
print(a, b, sorted([Point(2, 1), Point(1, 5)]))
class Stack(list):
    def push(self, x):
        self.append(x)
    def peek(self):
        return self[-1]
s = Stack([1, 2])
s.push(3)
print(s, s.peek(), len(s), s + [4], type(s + [4]).__name__, s[1:], type(s[1:]).__name__, isinstance(s, list), s == [1, 2, 3])
s.sort(reverse=True); print(s, sum(s), repr(s))
class Counter2(dict):
    def __missing__(self, k):
        return 0
    def add(self, k):
        self[k] = self[k] + 1
c = Counter2()
for ch in "hello":
    c.add(ch)
print(c, c['z'], len(c), sorted(c.items()), isinstance(c, dict), type(c).__name__, dict(c) == c)
class Flags(int):
    A = None
Flags.A = Flags(1)
print(Flags.A | 2, type(Flags.A | 2).__name__, Flags(5) & Flags(4), int.__add__(Flags(2), 3))
class Money(int):
    def __new__(cls, cents):
        return super().__new__(cls, round(cents))
    def __add__(self, o):
        return Money(int(self) + int(o))
    def __str__(self):
        return f"${int(self) / 100:.2f}"
m = Money(150.4) + Money(99)
print(m, type(m).__name__, repr(m), m > 200)
print(int(Color(7)), float(Temp(2.5)), str(Name("bob")), tuple(Point(1, 2)), list(Stack([9])), type(int(Color(7))).__name__, type(str(Name("bob"))).__name__)
