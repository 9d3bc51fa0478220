from dataclasses import dataclass, field
@dataclass
class Item:
    name: str
    price: float
    qty: int = 1
@dataclass
class Cart:
    items: list = field(default_factory=list)
    def add(self, item):
        for it in self.items:
            if it.name == item.name:
                it.qty += item.qty
                return self
        self.items.append(item)
        return self
    def total(self):
        return round(sum(i.price * i.qty for i in self.items), 2)
c = Cart().add(Item('apple', 0.5, 4)).add(Item('pear', 0.75)).add(Item('apple', 0.5))
print(c, c.total(), len(c.items))
