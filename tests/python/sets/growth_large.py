# Growth and shrink rules: resize at fill*5 >= mask*3, to used*4 (used*2 above 50000 entries).
s = set()
snap = []
for i in range(0, 3000, 7):
    s.add(i * 2654435761 % 100003)
    if i % 700 == 0:
        snap.append(list(s)[:8])
print(snap)
print(list(s)[:40], len(s))
big = set(range(60000))
big.difference_update(range(0, 60000, 2))
big.add(-1); big.add(60001)
print(list(big)[:20], len(big))
t = set(range(1000, 0, -7))
print(sum(t), list(t)[:20])
u = set(range(50))
u.clear()
u.update([8, 16, 3])
print(u)
