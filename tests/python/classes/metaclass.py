class Meta(type):
    def __new__(mcs, name, bases, ns):
        ns["tag"] = name.lower()
        return super().__new__(mcs, name, bases, ns)
class Tagged(metaclass=Meta):
    pass
class Child(Tagged):
    pass
print(Tagged.tag, Child.tag, type(Tagged).__name__, isinstance(Child, Meta))
class Singleton(type):
    _inst = {}
    def __call__(cls, *a, **k):
        if cls not in cls._inst:
            cls._inst[cls] = super().__call__(*a, **k)
        return cls._inst[cls]
class Db(metaclass=Singleton):
    def __init__(self):
        print("init once")
print(Db() is Db())
