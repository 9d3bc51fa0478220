class C:
    instances = 0
    def __init__(self):
        C.instances += 1
    @staticmethod
    def add(a, b):
        return a + b
    @classmethod
    def make(cls):
        return cls()
    @classmethod
    def count(cls):
        return cls.instances
class D(C):
    pass
print(C.add(1, 2), C().add(3, 4))
d = D.make()
print(type(d).__name__, C.count(), D.count())
