class Shape:
    def area(self):
        raise NotImplementedError
    def __repr__(self):
        return f"{type(self).__name__}(area={self.area():.2f})"
class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h
class Circle(Shape):
    def __init__(self, r):
        self.r = r
    def area(self):
        return 3.14159 * self.r ** 2
shapes = [Rect(2, 3), Circle(1), Rect(1, 1)]
print(shapes, sum(s.area() for s in shapes), sorted(shapes, key=Shape.area))
try:
    Shape().area()
except NotImplementedError:
    print("abstract")
