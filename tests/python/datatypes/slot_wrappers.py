# slot wrappers (list.__len__, dict.__eq__ ...) check their arguments as CPython's wrapper_descriptor;
# bytes methods check theirs as CPython's method descriptors
calls = [
    lambda: ().__contains__(),
    lambda: [].__getitem__(),
    lambda: [].__len__(1),
    lambda: list.__len__(),
    lambda: list.__len__(1),
    lambda: [].__setitem__(1),
    lambda: [].__eq__(),
    lambda: dict.__eq__(1, 2),
    lambda: [].__contains__(x=1),
    lambda: [].__add__(1, 2),
    lambda: [].__delitem__(),
    lambda: {}.__getitem__(),
    lambda: b'abc'.isalnum(42),
    lambda: b'abc'.upper(1),
    lambda: b'abc'.count(),
    lambda: b'abc'.count(b'a', 0, 1, 2),
    lambda: b'abc'.count(x=1),
    lambda: b'abc'.split(b'a', 1, 2),
    lambda: b'abc'.center(),
    lambda: bytearray(b'abc').expandtabs(8, 8),
    lambda: bytearray(b'abc').insert(1),
    lambda: b'abc'.zfill(),
]
for call in calls:
    try:
        call()
        print('no error')
    except TypeError as e:
        print('TypeError:', e)
print(list.__dict__['__len__'], list.__len__.__objclass__, list.__len__([1, 2]), b'a b'.split(maxsplit=1))
