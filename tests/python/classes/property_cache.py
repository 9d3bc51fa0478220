class Lazy:
    def __init__(self):
        self._v = None
        self.calls = 0
    @property
    def value(self):
        if self._v is None:
            self.calls += 1
            self._v = sum(range(100))
        return self._v
    @value.deleter
    def value(self):
        self._v = None
l = Lazy()
print(l.value, l.value, l.calls)
del l.value
print(l.value, l.calls)
