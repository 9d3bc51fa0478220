# exec/eval with locals apart from globals (CPython's module code uses LOAD_NAME/STORE_NAME): assignments go
# to the locals mapping, which may be any object with __getitem__/__setitem__; functions defined there keep
# the real globals; a name declared global anywhere in the code is a global at module level too; the
# argument checks are CPython's.
class Recorder:
    def __init__(self, initial=()):
        self.data = dict(initial)
        self.log = []
    def __getitem__(self, key):
        self.log.append(('get', key))
        return self.data[key]
    def __setitem__(self, key, value):
        self.log.append(('set', key))
        self.data[key] = value
    def __delitem__(self, key):
        self.log.append(('del', key))
        del self.data[key]

g = {'base': 10}
r = Recorder({'a': 1})
exec('b = a + base\ndel a\nc = len([b])', g, r)
print(sorted(r.data.items()), r.log)
print(eval('b * 2 + base', g, r))
try:
    exec('missing', g, Recorder())
except NameError as e:
    print('NameError', e)

g = {}
loc = {}
exec('''if 1:
    y = 9
    def f():
        y = 1
        def g():
            global y
            return y
        def h():
            return y + 1
        return g, h
    g, h = f()
    result9 = g()
    result2 = h()
    def uses_global():
        return later
''', g, loc)
print(sorted(k for k in g if k != '__builtins__'), sorted(loc), loc['result9'], loc['result2'])
g['later'] = 'seen'
print(loc['uses_global'](), loc['uses_global'].__globals__ is g)

def in_function():
    a = 1
    exec('b = a + 1')
    return locals()['b'], eval('a + 10'), eval('[a for _ in range(1)]', {'a': 'global'}, {'a': 'local'})

print(in_function())

class Lower:
    def __init__(self):
        self.d = {}
    def __setitem__(self, k, v):
        self.d[k.lower()] = v
    def __getitem__(self, k):
        return self.d[k]

ns = {'__annotations__': Lower()}
exec('X: int\nY: str = "y"\n(w): complex = 1j', ns)
print(ns['__annotations__'].d, ns['Y'], ns['w'])
outer = Recorder({'__annotations__': Lower()})
exec('Q: str', {}, outer)
print(outer.data['__annotations__'].d, outer.log)
r2 = Recorder()
exec('x: int = 1', {}, r2)
print(r2.data, r2.log)


class Meta(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return {'__annotations__': Lower()}

class C(metaclass=Meta):
    XX: 'ANNOT'
print(C.__annotations__.d)

for bad in [lambda: exec('1', 1), lambda: exec('1', {}, 1), lambda: exec('1', None, 1), lambda: eval('1', 1),
            lambda: eval('1', {}, 1), lambda: eval('1', Lower()), lambda: eval('1', [], {})]:
    try:
        bad()
    except TypeError as e:
        print('TypeError', e)
code = compile('v = 1\nw = v + 1', '<m>', 'exec')
loc = {}
exec(code, {}, loc)
print(loc)
