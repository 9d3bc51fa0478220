t = (1, 2, 3)
print(t, t[0], t[-1], t[1:], len(t), t + (4,), t * 2, t.index(2), t.count(3), (1,), ())
print((1, 2) < (1, 3), (1, 2) == (1, 2), hash((1, 2)) == hash((1, 2)), tuple([1, 2]), tuple("ab"))
x, = (5,)
print(x, max((1, 5), (2, 0)), sorted([(2, "b"), (1, "z"), (2, "a")]))
try:
    t[0] = 5
except TypeError as e:
    print(e)
