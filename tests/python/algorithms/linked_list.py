class LL:
    class N:
        def __init__(self, v, nxt=None):
            self.v, self.nxt = v, nxt
    def __init__(self, items=()):
        self.head = None
        for x in reversed(list(items)):
            self.head = LL.N(x, self.head)
    def __iter__(self):
        n = self.head
        while n:
            yield n.v
            n = n.nxt
    def reverse(self):
        prev, cur = None, self.head
        while cur:
            cur.nxt, prev, cur = prev, cur, cur.nxt
        self.head = prev
    def __repr__(self):
        return " -> ".join(map(str, self)) or "empty"
l = LL([1, 2, 3, 4])
print(l)
l.reverse()
print(l, list(l), LL())
