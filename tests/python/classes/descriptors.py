class Positive:
    def __set_name__(self, owner, name):
        self.name = "_" + name
    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.name)
    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f"{self.name[1:]} must be positive")
        setattr(obj, self.name, value)
class Item:
    price = Positive()
    qty = Positive()
    def __init__(self, price, qty):
        self.price = price
        self.qty = qty
it = Item(3, 4)
print(it.price * it.qty, type(Item.price).__name__)
try:
    it.qty = -1
except ValueError as e:
    print("ValueError:", e)
class Const:
    def __get__(self, obj, objtype=None):
        return 99
class H:
    c = Const()
print(H().c, H.c)
