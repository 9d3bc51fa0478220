# Comparisons, reprs and JSON of containers nested 100,000 deep raise RecursionError with
# CPython's messages instead of overflowing the native stack; the program goes on.
import json


def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r if isinstance(r, (bool, int)) else type(r).__name__)
    except RecursionError as e:
        print(name, 'RecursionError:', e)


a, b = [], []
for i in range(100000):
    a, b = [a], [b]
d = {}
for i in range(100000):
    d = {'k': d}
t = ()
for i in range(100000):
    t = (t, i)
attempt('list ==', lambda: a == b)
attempt('list !=', lambda: a != b)
attempt('list <', lambda: a < b)
attempt('list == itself', lambda: a == a)
attempt('dict ==', lambda: d == {'k': d['k'].copy()})
attempt('dict == copy', lambda: d == d.copy())
attempt('tuple ==', lambda: t == (t[0], 99999))
attempt('tuple < ', lambda: t < (t[0], 99999))
attempt('repr list', lambda: repr(a))
attempt('str list', lambda: str(a))
attempt('repr dict', lambda: repr(d))
attempt('repr tuple', lambda: repr(t))
attempt('format', lambda: format(a))
attempt('f-string', lambda: f'{d}')
attempt('%s', lambda: '%s' % (a,))
attempt('print', lambda: print(a))
attempt('json list', lambda: json.dumps(a))
attempt('json dict', lambda: json.dumps(d))
attempt('json decode arrays', lambda: json.loads('[' * 100000 + ']' * 100000))
attempt('json decode objects', lambda: json.loads('{"a":' * 100000 + '1' + '}' * 100000))
shallow = [[[[1]]]]
attempt('shallow', lambda: shallow == [[[[1]]]] and repr(shallow) == '[[[[1]]]]')
attempt('json shallow', lambda: json.loads(json.dumps(d if False else [[[1]]])) == [[[1]]])
deep1000 = []
for i in range(900):
    deep1000 = [deep1000]
attempt('900 deep', lambda: deep1000 == deep1000[:] and len(repr(deep1000)))
