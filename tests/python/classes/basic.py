class Point:
    """A point"""
    count = 0
    def __init__(self, x, y):
        self.x = x
        self.y = y
        Point.count += 1
    def __repr__(self):
        return f"Point({self.x}, {self.y})"
    def __add__(self, other):
        return Point(self.x + other.x, self.y + other.y)
    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)
    def __hash__(self):
        return hash((self.x, self.y))
    def dist2(self):
        return self.x ** 2 + self.y ** 2
p = Point(1, 2) + Point(3, 4)
print(p, p.dist2(), Point.count, p == Point(4, 6), p != Point(0, 0), Point.__doc__)
print(len({Point(1, 1), Point(1, 1), Point(2, 2)}), type(p).__name__, isinstance(p, Point))
print(hasattr(p, "x"), getattr(p, "z", "none"), vars(p))
setattr(p, "z", 9)
print(p.z, sorted(p.__dict__))
del p.z
print(hasattr(p, "z"))
