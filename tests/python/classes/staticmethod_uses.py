class MathUtil:
    PI = 3.14159
    @staticmethod
    def square(x):
        return x * x
    @classmethod
    def circle_area(cls, r):
        return cls.PI * cls.square(r)
class Precise(MathUtil):
    PI = 3.141592653589793
print(MathUtil.square(4), round(MathUtil.circle_area(2), 4), round(Precise.circle_area(2), 6), Precise().square(3))
