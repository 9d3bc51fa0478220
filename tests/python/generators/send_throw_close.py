def acc():
    total = 0
    while True:
        x = yield total
        if x is None:
            break
        total += x
    return total
g = acc()
print(next(g), g.send(5), g.send(10))
try:
    g.send(None)
except StopIteration as e:
    print("returned", e.value)
def catcher():
    while True:
        try:
            yield "ready"
        except ValueError as e:
            print("caught in gen", e)
c = catcher()
next(c)
print(c.throw(ValueError("oops")))
def closer():
    try:
        yield 1
        yield 2
    finally:
        print("closed")
cl = closer()
print(next(cl))
cl.close()
print("after close")
