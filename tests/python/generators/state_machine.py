def traffic():
    while True:
        yield "green"
        yield "yellow"
        yield "red"
t = traffic()
print([next(t) for _ in range(7)])
def averager():
    total = count = 0
    avg = None
    while True:
        v = yield avg
        total += v
        count += 1
        avg = total / count
a = averager()
next(a)
print(a.send(10), a.send(20), a.send(60))
