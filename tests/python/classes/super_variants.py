class A:
    def __init__(self):
        self.log = ["A"]
    def f(self):
        return "A.f"
    @classmethod
    def c(cls):
        return "A.c:" + cls.__name__
class B(A):
    def __init__(self):
        super(B, self).__init__()
        self.log.append("B")
    def f(self):
        return "B>" + super().f()
    @classmethod
    def c(cls):
        return "B>" + super().c()
b = B()
print(b.log, b.f(), B.c(), super(B, b).f())
