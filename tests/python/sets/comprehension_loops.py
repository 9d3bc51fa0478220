# Comprehensions, loops over set displays, and structures built from set order.
print({x % 17 for x in range(0, 300, 7)})
print({(x, x * x) for x in range(-3, 4)})
for x in {9, 18, 27, 1}:
    print(x, end=' ')
print()
for x in {100, 200, 300, 8, 16, -1, -2, 64}:
    print(x, end=' ')
print()
print([x for x in {100, 200, 300, 8, 16}])
print([x * 2 for x in {-1, -2, -3, 64, 1 << 33, 10}])
print(dict.fromkeys({50, 40, 30, 20, 10, 64, 128}))
print(list(zip({3, 1, 2}, "abc")))
print(tuple({33, 65, 97, 1}), list(enumerate({9, 8})))
print(sum({1.5, 2.5}), min({4, -4}), max({4, -4}))
seen = set()
order = []
for w in [12, 44, 12, 7, 99, 7, 1000, 44, 3]:
    if w not in seen:
        seen.add(w)
        order.append(w)
print(order, seen)
