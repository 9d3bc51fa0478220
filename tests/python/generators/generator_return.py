def g():
    yield 1
    return "done"
gen = g()
print(next(gen))
try:
    next(gen)
except StopIteration as e:
    print("value:", e.value)
def delegate():
    result = yield from g()
    yield result
print(list(delegate()))
