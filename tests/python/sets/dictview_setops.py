# Set operators on dict views: which side is copied or iterated decides the order.
d = {k * 9: str(k) for k in range(12)}
e = {k * 6: k for k in range(15)}
print(d.keys() & e.keys(), e.keys() & d.keys())
print(d.keys() | e.keys(), e.keys() | d.keys())
print(d.keys() - e.keys(), e.keys() - d.keys())
print(d.keys() ^ e.keys(), e.keys() ^ d.keys())
s = {0, 18, 36, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
print(d.keys() & s, s & d.keys(), s - d.keys(), s | d.keys(), s ^ d.keys())
print(d.keys() & [99, 0, 9, 81], d.keys() - [0, 9], d.keys() | (1, 2), d.keys() ^ range(5))
items = {1: 'a', 2: 'b', 3: 'c'}.items()
print(sorted(items & {(1, 'a'), (9, 'z')}), sorted(items - {(2, 'b')}), sorted(items | {(4, 'd')}))
print(d.keys() == set(d), d.keys() < set(d) | {1}, d.keys().isdisjoint({1, 2, 3}))
try:
    d.keys() - 5
except TypeError as ex:
    print("TypeError:", ex)
