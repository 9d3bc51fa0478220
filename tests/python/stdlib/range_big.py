# range with bounds beyond a C long (CPython's long range), as _collections_abc needs at import.
big = 1 << 100
r = range(big)
print(type(r).__name__, r.start, r.stop, r.step, bool(r), repr(r))
print(type(iter(range(1 << 1000))).__name__, type(iter(range(10))).__name__)
it = iter(range(big, big + 3))
print(list(it))
print(list(range(big + 6, big, -2)), list(reversed(range(big, big + 3))))
print(big - 1 in r, big in r, 5 in range(0, big, 5), 6 in range(0, big, 5))
print(r[-1] == big - 1, r[0], range(0, big, 7)[3])
print(range(big) == range(0, big, 1), range(big) == range(big + 1), hash(range(big)) == hash(range(0, big)))
print(range(0, big, 3).index(9), range(0, big, 3).count(9))
try:
    len(r)
except OverflowError as e:
    print("OverflowError:", e)
try:
    r[big]
except IndexError as e:
    print("IndexError:", e)
print(len(range(big, big + 10)), range(-big, big, big).stop)
