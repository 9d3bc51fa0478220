# Deleted slots become dummies: later insertions reuse the last dummy on their probe path,
# and the table is rebuilt when too many dummies accumulate.
s = set(range(20))
for i in range(0, 20, 3):
    s.discard(i)
print(s)
s.update([100, 200, 33, 17, 3, 6])
print(s)
t = set(range(40))
for x in range(0, 40, 2):
    t.remove(x)
t.add(64); t.add(128); t.add(2)
print(t)
u = set(range(100))
u -= set(range(10, 90))
print(u)
u.add(1000); u.add(42)
print(u)
v = {1, 2, 3, 4, 9, 17}
v.discard(1); v.discard(9); v.add(25); v.add(33)
print(v)
w = set()
for i in range(50):
    w.add(i * 37 % 101)
    if i % 3 == 0:
        w.discard(i * 11 % 101)
print(w)
try:
    w.remove(-1)
except KeyError as e:
    print("KeyError", e)
