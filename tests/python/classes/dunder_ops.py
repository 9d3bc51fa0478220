class V:
    def __init__(self, *c): self.c = list(c)
    def __repr__(self): return "V(" + ", ".join(map(str, self.c)) + ")"
    def __add__(self, o): return V(*[a + b for a, b in zip(self.c, o.c)])
    def __sub__(self, o): return V(*[a - b for a, b in zip(self.c, o.c)])
    def __mul__(self, k): return V(*[a * k for a in self.c])
    def __rmul__(self, k): return self * k
    def __neg__(self): return V(*[-a for a in self.c])
    def __abs__(self): return sum(a * a for a in self.c) ** 0.5
    def __len__(self): return len(self.c)
    def __getitem__(self, i): return self.c[i]
    def __setitem__(self, i, v): self.c[i] = v
    def __contains__(self, v): return v in self.c
    def __iter__(self): return iter(self.c)
    def __bool__(self): return any(self.c)
    def __lt__(self, o): return abs(self) < abs(o)
    def __eq__(self, o): return self.c == o.c
    def __call__(self, x): return [a * x for a in self.c]
v = V(3, 4)
w = V(1, 1)
print(v + w, v - w, v * 2, 3 * v, -v, abs(v), len(v), v[0], 4 in v, list(v), bool(V(0, 0)))
v[0] = 6
print(v, v(2), sorted([V(5, 5), V(1, 0), V(2, 2)]), v == V(6, 4), v != V(6, 4), max([w, v]))
