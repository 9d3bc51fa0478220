print('start')
def f(a): pass
f(1, 2)
