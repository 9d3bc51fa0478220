def gen():
    try:
        yield 1
        yield 2
    except GeneratorExit:
        print("gen exit")
        raise
    finally:
        print("gen finally")
g = gen()
print(next(g))
g.close()
def failing():
    yield 1
    raise ValueError("from gen")
try:
    for x in failing():
        print("got", x)
except ValueError as e:
    print("caught", e)
def stopper():
    yield 1
    raise StopIteration
try:
    list(stopper())
except RuntimeError as e:
    print("RuntimeError:", e)
