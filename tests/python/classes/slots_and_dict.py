class P:
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x = x
        self.y = y
p = P(1, 2)
print(p.x, p.y, P.__slots__)
class Q:
    pass
q = Q()
q.__dict__['z'] = 3
print(q.z, vars(q))
