print(hash(42), hash(-1), hash(0), hash(2 ** 61), hash(2 ** 61 - 1), hash(-2 ** 61), hash(1.5), hash(-0.5), hash(1e100) == hash(int(1e100)))
print(hash((1, 2, 3)), hash(()), hash((1, (2, 3))), hash(True), hash(None) == hash(None), hash(frozenset()) == hash(frozenset([])))
a = [1]
print(id(a) == id(a), id(a) != id([1]))
try:
    hash([1])
except TypeError as e:
    print("TypeError:", e)
try:
    hash({})
except TypeError as e:
    print("TypeError:", e)
