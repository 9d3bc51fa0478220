# set.pop() scans the table from where the previous pop stopped.
p = set([5, 38, 71, 104, 7, 3, 2])
out = []
while p:
    out.append(p.pop())
print(out)
p = {1, 2, 3, 4, 9, 17}
print(p.pop(), p.pop(), p)
p.add(33); p.add(1)
print(p, p.pop(), p.pop())
q = set(range(0, 1000, 13))
print([q.pop() for _ in range(10)])
q.update(range(5))
print([q.pop() for _ in range(10)])
try:
    set().pop()
except KeyError as e:
    print("KeyError:", e)
