a = 1; b = 2; c = a + b; print(c)
if c > 2: print("big")
for i in range(3): print(i, end=" ")
print()
while False: pass
def f(): return 42
class E: pass
print(f(), E.__name__)
x = [1,
     2,
     3]
y = {"a": 1,
     "b": 2}
print(x, y, (1 +
             2))
