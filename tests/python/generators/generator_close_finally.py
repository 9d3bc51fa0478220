log = []
def g():
    try:
        for i in range(10):
            yield i
    finally:
        log.append('cleanup')
gen = g()
for v in gen:
    if v == 2:
        break
gen.close()
print(log)
it = g()
next(it); next(it)
it.close()
print(log, list(it))
def h():
    yield 1
    try:
        yield 2
    except GeneratorExit:
        log.append('exit seen')
        raise
x = h()
next(x); next(x)
x.close()
print(log)
