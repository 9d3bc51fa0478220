from dataclasses import dataclass, field, asdict, astuple, replace, fields
@dataclass
class Inv:
    name: str
    qty: int = 0
    price: float = 1.0
    def total(self):
        return self.qty * self.price
i = Inv("bolt", 10, 0.25)
print(i, i.total(), asdict(i), astuple(i), replace(i, qty=4), [f.name for f in fields(i)])
@dataclass
class Node:
    val: int
    children: list = field(default_factory=list)
    def __post_init__(self):
        self.val *= 10
n = Node(1)
n.children.append(Node(2))
print(n)
