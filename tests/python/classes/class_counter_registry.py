class Tracked:
    _registry = []
    def __init__(self, name):
        self.name = name
        Tracked._registry.append(self)
    @classmethod
    def names(cls):
        return [t.name for t in cls._registry]
    def __del__(self):
        pass
for n in "xyz":
    Tracked(n)
print(Tracked.names(), len(Tracked._registry))
