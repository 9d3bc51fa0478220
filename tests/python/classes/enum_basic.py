from enum import Enum, auto
class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3
print(Color.RED, Color.RED.name, Color.RED.value, Color(2), Color["BLUE"], list(Color), len(Color))
print(Color.RED == Color.RED, Color.RED is Color(1), Color.RED in Color, repr(Color.GREEN))
class Dir(Enum):
    N = auto()
    S = auto()
print(Dir.N.value, Dir.S.value, [d.name for d in Dir])
try:
    Color(9)
except ValueError as e:
    print("ValueError:", e)
