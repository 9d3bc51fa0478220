base = [5, 3, 8, 1, 9, 2]
import copy
ops = [lambda l: l.append(7), lambda l: l.extend([0, 0]), lambda l: l.insert(0, -1), lambda l: l.insert(100, 'end'), lambda l: l.insert(-2, 'x'),
       lambda l: l.pop(), lambda l: l.pop(1), lambda l: l.remove(8), lambda l: l.reverse(), lambda l: l.sort(), lambda l: l.sort(reverse=True),
       lambda l: l.clear(), lambda l: l.__setitem__(slice(1, 3), [10, 11, 12]), lambda l: l.__delitem__(slice(None, None, 2)), lambda l: l.index(9), lambda l: l.count(3)]
for i, op in enumerate(ops):
    l = list(base)
    r = op(l)
    print(i, r, l)
