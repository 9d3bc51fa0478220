class N:
    def __init__(self, v): self.v = v
    def __radd__(self, o): return N(o + self.v)
    def __rsub__(self, o): return N(o - self.v)
    def __rmul__(self, o): return N(o * self.v)
    def __rtruediv__(self, o): return N(o / self.v)
    def __rpow__(self, o): return N(o ** self.v)
    def __repr__(self): return f'N({self.v})'
print(1 + N(2), 10 - N(3), 3 * N(4), 1 / N(4), 2 ** N(5), sum([N(1), N(2)]))
class Vec:
    def __init__(self, x): self.x = x
    def __add__(self, o):
        if isinstance(o, Vec): return Vec(self.x + o.x)
        return NotImplemented
    def __iadd__(self, o):
        self.x += o
        return self
    def __repr__(self): return f'Vec({self.x})'
v = Vec(1)
v += 5
print(v, v + Vec(2))
try:
    v + 'a'
except TypeError as e:
    print(e)
