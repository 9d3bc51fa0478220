x = 10
print([x + i for i in range(3)])
def f():
    y = 5
    return [[y * i + j for j in range(2)] for i in range(3)]
print(f())
class C:
    vals = [1, 2, 3]
    doubled = [v * 2 for v in vals]
print(C.doubled)
print({k: [v for v in range(k)] for k in range(4)})
print(sum(sum(row) for row in [[1, 2], [3]]), [i for i in range(10) if i % 2 == 0 if i % 3 == 0])
print([(a, b) for a in range(3) if a for b in range(a)], [[c for c in w] for w in ['ab', 'c']])
