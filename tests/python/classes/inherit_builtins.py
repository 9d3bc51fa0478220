class MyList(list):
    def sum(self):
        return sum(self)
l = MyList([1, 2, 3])
l.append(4)
print(l, l.sum(), len(l), isinstance(l, list), l[1:3], type(l).__name__)
class MyDict(dict):
    def __missing__(self, key):
        return key * 2
d = MyDict(a=1)
print(d["a"], d["bb"], d, len(d))
class Stack(list):
    def push(self, x):
        self.append(x)
    def peek(self):
        return self[-1]
s = Stack()
s.push(1); s.push(2)
print(s.peek(), s.pop(), s, bool(s))
class UpperDict(dict):
    def __setitem__(self, k, v):
        super().__setitem__(k.upper(), v)
u = UpperDict()
u["abc"] = 1
print(u, "ABC" in u)
