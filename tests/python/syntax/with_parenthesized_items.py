# `with (a, b):` is two context managers (CPython tries the parenthesized with-items first), as are the
# forms with `as` and a trailing comma; `with (a, b) as c:` is one tuple.
class Manager:
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        print('enter', self.name)
        return self.name
    def __exit__(self, *exc):
        print('exit', self.name)

with (Manager('a'), Manager('b')):
    print('body 1')
with (Manager('a'),):
    print('body 2')
with (Manager('a') as x, Manager('b'),):
    print('body 3', x)
with (Manager('a')):
    print('body 4')
with (
    Manager('a') as (p),
    Manager('b') as q
):
    print('body 5', p, q)
try:
    with (Manager('a'), Manager('b')) as t:
        pass
except TypeError as e:
    print('TypeError', e)
