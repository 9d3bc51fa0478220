from dataclasses import dataclass
@dataclass
class Point:
    x: int
    y: int
@dataclass
class Circle:
    center: Point
    r: int
def where(s):
    match s:
        case Point(x=0, y=0):
            return "origin"
        case Point(0, y):
            return f"on y axis at {y}"
        case Point(x, 0):
            return f"on x axis at {x}"
        case Circle(Point(x, y), r) if r > 5:
            return f"big circle at {x},{y}"
        case Circle(center=c):
            return f"circle at {c.x},{c.y}"
        case _:
            return "somewhere"
for s in [Point(0, 0), Point(0, 3), Point(4, 0), Point(1, 1), Circle(Point(1, 2), 10), Circle(Point(3, 3), 1)]:
    print(where(s))
