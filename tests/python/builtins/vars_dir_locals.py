def f(a, b=2):
    c = a + b
    return sorted(locals().items())
print(f(1))
class K:
    x = 1
    def m(self): pass
print([n for n in dir(K) if not n.startswith('_')], 'x' in vars(K))
g = globals()
print('f' in g, g['K'] is K)
