a = [1, 2, 3, 4, 5]
del a[1]
del a[-1]
print(a)
d = {"x": 1, "y": 2}
del d["x"]
print(d)
b = 5
del b
try:
    print(b)
except NameError as e:
    print(e)
class O: pass
o = O()
o.attr = 1
del o.attr
print(hasattr(o, "attr"))
p, q = 1, 2
del p, q
print("p" in dir(), "q" in dir())
