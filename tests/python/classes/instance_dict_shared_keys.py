# Instance attribute dicts share their class's key table (split dicts) until they diverge: every way of
# diverging must leave each instance's attributes exactly as CPython has them.
import copy
import pickle


class P:
    def __init__(self, x, y):
        self.x = x
        self.y = y


a = P(1, 2)
b = P(3, 4)
print(vars(a), vars(b), a.__dict__ == {"x": 1, "y": 2})

# a later instance adds a third key: earlier ones still lack it
c = P(5, 6)
c.z = 7
print(vars(a), vars(c), hasattr(a, "z"), "z" in a.__dict__, a.__dict__.get("z"))
d = P(8, 9)
print(vars(d), hasattr(d, "z"))
d.z = 10
print(vars(d), d.z, c.z)

# keys in another order than the first instance's
e = P.__new__(P)
e.y = 1
e.x = 2
print(vars(e), list(e.__dict__), e.x, e.y)

# deletion, then re-adding (goes to the end)
f = P(1, 2)
del f.x
print(vars(f), hasattr(f, "x"))
f.x = 3
print(vars(f), list(f.__dict__))
g = P(1, 2)
print(g.__dict__.pop("x"), vars(g))
h = P(1, 2)
print(h.__dict__.popitem(), vars(h))
i = P(1, 2)
i.__dict__.clear()
i.w = 0
print(vars(i))

# non-str and str-subclass keys
class S(str):
    pass

j = P(1, 2)
j.__dict__[3] = "three"
j.__dict__[S("q")] = "q"
print(vars(j), j.q)

# many attributes (past the shared table's limit) on several instances
class Many:
    pass

ms = []
for n in range(3):
    m = Many()
    for k in range(40):
        setattr(m, "a%d" % k, k * n)
    ms.append(m)
print([len(vars(m)) for m in ms], ms[2].a39, ms[1].a0, list(vars(ms[0]))[-3:])
m = Many()
m.b = 1
print(vars(m), hasattr(m, "a0"))

# update, copy, equality, iteration while growing
k = P(1, 2)
k.__dict__.update({"y": 20, "z": 30})
print(vars(k), k.__dict__ == {"x": 1, "y": 20, "z": 30}, vars(copy.copy(k)), vars(copy.deepcopy(k)))
try:
    for name in k.__dict__:
        setattr(k, name + "_2", 0)
except RuntimeError as ex:
    print("RuntimeError", ex)
print(sorted(vars(k)))

# replacing __dict__, pickling, setdefault
l = P(1, 2)
l.__dict__ = {"q": 1}
print(vars(l), l.q, hasattr(l, "x"))
l2 = pickle.loads(pickle.dumps(P(7, 8)))
print(type(l2).__name__, vars(l2))
n = P(1, 2)
print(n.__dict__.setdefault("z", 5), n.__dict__.setdefault("x", 9), vars(n))

# attribute reads and writes through the same code on instances of diverged layouts
def total(objs):
    t = 0
    for o in objs:
        o.x = o.x + 1
        t += o.x + o.y
    return t

objs = [a, b, c, d, e, f, j, k, n, P(0, 0)]
print(total(objs), total(objs), [o.x for o in objs])
