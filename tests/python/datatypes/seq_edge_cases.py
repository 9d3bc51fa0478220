# list/tuple: comparisons while items change the lists, sort with a modifying key, huge indices and
# steps, constructors' keyword rules, tuple identity, subclasses' own __iter__ and __getitem__
import sys

class X:
    def __eq__(self, other):
        list2.clear()
        return NotImplemented
class Y:
    def __eq__(self, other):
        list1.clear()
        return NotImplemented
list1 = [X()]
list2 = [Y()]
print(list1 == list2, [1, 2] == [1], [1, 2] < [1, 3])

z = list(range(12))
def key(x):
    z.append(1)
    return x
try:
    z.sort(key=key)
except ValueError as e:
    print('ValueError:', e, len(z))
z = [3, 1, 2]
try:
    z.sort(key=lambda x: 1 / (x - 2))
except ZeroDivisionError as e:
    print('ZeroDivisionError:', e, z)

a = [0, 1, 2, 0]
print(a.index(0, -4 * sys.maxsize, 4 * sys.maxsize), (0, 1, 0).index(0, 1, 1 << 100))
a = list(range(10))
del a[9::1 << 333]
print(a, a[::1 << 200], a[::-(1 << 200)])
for size in (sys.maxsize // 2, 1 << 70):
    try:
        [0, 1] * size
    except (MemoryError, OverflowError) as e:
        print(type(e).__name__)
print(tuple.__itemsize__, int.__itemsize__, bytes.__itemsize__, list.__itemsize__)

for call in (lambda: list(sequence=[]), lambda: tuple(sequence=()), lambda: list([], []), lambda: tuple((), ())):
    try:
        call()
    except TypeError as e:
        print('TypeError:', e)

class Sub(tuple):
    def __init__(self, arg, newarg=None):
        self.newarg = newarg
u = Sub([1, 2], newarg=3)
print(u, u.newarg)
class SubL(list):
    def __new__(cls, seq, newarg=None):
        self = super().__new__(cls, seq)
        self.newarg = newarg
        return self
u = SubL([1, 2], newarg=3)
print(u, u.newarg)

s = (1, 2)
empty = ()
print(tuple(s) is s, s * 1 is s, empty * 5 is empty)

class LyingTuple(tuple):
    def __iter__(self):
        yield 1
class LyingList(list):
    def __iter__(self):
        yield 1
print(list(LyingTuple((2,))), list(LyingList([2])), tuple(LyingList([2])))
class T(tuple):
    def __getitem__(self, key):
        return str(key) + '!!!'
print(next(iter(T((1, 2)))), list(T((3, 4))))
