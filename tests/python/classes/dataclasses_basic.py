from dataclasses import dataclass, field
@dataclass
class Point:
    x: int
    y: int = 0
    tags: list = field(default_factory=list)
p = Point(1, 2)
q = Point(1, 2)
print(p, p == q, p.x + p.y, Point(5), Point(3, tags=["a"]))
@dataclass(frozen=True, order=True)
class Card:
    rank: int
    suit: str
cards = [Card(10, "h"), Card(2, "s"), Card(10, "c")]
print(sorted(cards), Card(1, "x") < Card(2, "a"), hash(Card(1, "a")) == hash(Card(1, "a")))
try:
    cards[0].rank = 5
except Exception as e:
    print(type(e).__name__)
