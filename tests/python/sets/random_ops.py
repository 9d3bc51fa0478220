# Random adds, discards, pops and set algebra over ints, floats, tuples and big ints (an LCG, no random module):
# every order printed must equal CPython's, which follows from its table layout.
state = 12345
def rnd(n):
    global state
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n
def val():
    k = rnd(6)
    if k == 0: return rnd(50) - 25
    if k == 1: return rnd(1 << 20) * (1 if rnd(2) else -1)
    if k == 2: return rnd(100) / 4
    if k == 3: return (rnd(10), rnd(3) - 1)
    if k == 4: return 2 ** rnd(70) + rnd(3)
    return rnd(1000)
sets = [set() for _ in range(4)]
for step in range(3000):
    op = rnd(16)
    a = sets[rnd(4)]; b = sets[rnd(4)]
    if op < 5:
        a.add(val())
    elif op == 5 and a:
        a.discard(next(iter(a)))
    elif op == 6:
        a.discard(val())
    elif op == 7 and a:
        a.pop()
    elif op == 8:
        sets[rnd(4)] = a | b
    elif op == 9:
        sets[rnd(4)] = a & b
    elif op == 10:
        sets[rnd(4)] = a - b
    elif op == 11:
        sets[rnd(4)] = a ^ b
    elif op == 12:
        a.update([val() for _ in range(rnd(12))])
    elif op == 13:
        a.difference_update([val() for _ in range(rnd(5))] + list(b)[:rnd(5)])
    elif op == 14:
        a.symmetric_difference_update([val() for _ in range(rnd(8))])
    else:
        sets[rnd(4)] = set(list(a)[:rnd(40)])
    if step % 50 == 0:
        for s in sets: print(list(s)[:30], len(s))
    if len(a) > 400: a.clear()
print(sets)
print([hash(frozenset(s)) for s in sets])
