class Money:
    def __init__(self, cents):
        self.cents = cents
    @classmethod
    def of(cls, s):
        d, c = s.split(".")
        return cls(int(d) * 100 + int(c))
    def __add__(self, o):
        return Money(self.cents + (o.cents if isinstance(o, Money) else int(o * 100)))
    __radd__ = __add__
    def __mul__(self, k):
        return Money(round(self.cents * k))
    def __eq__(self, o):
        return isinstance(o, Money) and self.cents == o.cents
    def __lt__(self, o):
        return self.cents < o.cents
    def __hash__(self):
        return hash(self.cents)
    def __str__(self):
        return f"${self.cents // 100}.{self.cents % 100:02d}"
    def __repr__(self):
        return f"Money({self.cents})"
a = Money.of("3.50")
b = Money.of("1.25")
print(a + b, a * 3, sum([a, b], Money(0)), a + 1.5, 2 + a, sorted([a, b]), a == Money(350), {a, Money(350)})
