class Key:
    def __init__(self, v):
        self.v = v
    def __eq__(self, other):
        return isinstance(other, Key) and self.v == other.v
    def __hash__(self):
        return hash(self.v)
d = {Key(1): "one", Key(2): "two"}
print(d[Key(1)], Key(1) in d, Key(3) in d, len({Key(1), Key(1)}))
class NoHash:
    def __eq__(self, other):
        return True
try:
    hash(NoHash())
except TypeError as e:
    print("TypeError:", e)
print(NoHash() == 5, NoHash() != 5)
class Ident:
    pass
i = Ident()
print(i == i, i == Ident(), len({i, i}))
