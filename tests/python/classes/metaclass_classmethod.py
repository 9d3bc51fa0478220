class Meta(type):
    @classmethod
    def cm(mcls, x): return (mcls.__name__, x)
    @staticmethod
    def sm(x): return x
class A(metaclass=Meta): pass
print(A.cm(1), A.sm(2))
