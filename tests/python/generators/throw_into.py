def g():
    while True:
        try:
            x = yield
            print('got', x)
        except KeyError as e:
            print('keyerror', e)
            yield 'recovered'
it = g()
next(it)
it.send(1)
print(it.throw(KeyError('k')))
next(it)
it.send(2)
try:
    it.throw(ValueError('v'))
except ValueError as e:
    print('propagated', e)
try:
    next(it)
except StopIteration:
    print('finished')
