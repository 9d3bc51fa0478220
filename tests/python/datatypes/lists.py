l = [3, 1, 4, 1, 5, 9, 2, 6]
l.sort()
print(l, l.index(4), l.count(1), len(l), min(l), max(l), sum(l))
l.reverse()
print(l, l.pop(), l.pop(0), l)
l.insert(2, 100)
l.remove(1)
print(l, l[1:3], l[::-2], l[-3:])
l[1:3] = ["a", "b", "c"]
print(l)
del l[0]
del l[::2]
print(l, [1, 2] + [3], [0] * 3, [[]] * 2)
l2 = l.copy()
l2.append("new")
print(l, l2, l == l2, [1, 2] < [1, 3], [1, 2] < [1, 2, 0])
l.extend(range(3))
l.clear()
print(l, sorted(["b", "A", "c"], key=str.lower), sorted([3, 1, 2], reverse=True))
nested = [[1, 2], [3]]
print(nested, [x for sub in nested for x in sub])
print(list("abc"), list(range(5, 0, -2)), [1, 2, 3][::-1])
