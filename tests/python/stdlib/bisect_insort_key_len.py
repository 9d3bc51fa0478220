# insort_* search for key(x) (bisect_* compare x itself); len() and bisect take lengths past 2**31.
import bisect
import sys

for mod_f in (bisect.insort_left, bisect.insort_right):
    target = []
    for x in [3, -9, 0, 9, -3, 1]:
        mod_f(target, x, key=abs)
    print(target)
try:
    bisect.insort_left([], {"a": 2}, key="b")
except TypeError as e:
    print("TypeError:", e)
n = sys.maxsize
print(len(range(n - 1)), bisect.bisect_left(range(n - 1), n - 3), bisect.bisect_right(range(n - 1), n - 3, n - 10, n))


class Big:
    def __len__(self):
        return n - 1

    def __getitem__(self, i):
        return i


print(len(Big()), bisect.bisect_left(Big(), 12345678901))
try:
    len(type("Huge", (), {"__len__": lambda self: n + 1})())
except OverflowError as e:
    print("OverflowError:", e)
