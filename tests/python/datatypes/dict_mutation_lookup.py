# dict lookups and updates while keys' __eq__/__hash__ change the dicts (CPython's lookdict restart,
# dict_merge's "dict mutated during update", the iterator's "keys changed"), non-str keys equal to str keys
class Key3:
    def __hash__(self):
        return hash('key3')
    def __eq__(self, other):
        return isinstance(other, Key3) or isinstance(other, str) and other == 'key3'

class StrSub(str):
    pass

k = Key3()
print(hash(k) == hash('key3'))
for key3 in (StrSub('key3'), k):
    d = {'key1': 42, key3: 44}
    print(d.get('key3'), d.get(k), d.get(StrSub('key3')))

d = {0: 0}
try:
    for i in d:
        del d[0]
        d[0] = 0
except RuntimeError as e:
    print('RuntimeError:', e)

d = {1: 1, 2: 2}
it = iter(d)
next(it)
d[3] = 3
for _ in range(2):
    try:
        next(it)
    except RuntimeError as e:
        print('RuntimeError:', e)

class X:
    def __hash__(self):
        return 0
    def __eq__(self, o):
        other.clear()
        return False
other = dict([(i, 0) for i in range(1, 50)])
other[X()] = 0
d = {X(): 0, 1: 1}
try:
    d.update(other)
except RuntimeError as e:
    print('RuntimeError:', e)

class Counted:
    hashes = 0
    eqs = 0
    def __hash__(self):
        Counted.hashes += 1
        return 7
    def __eq__(self, o):
        Counted.eqs += 1
        return self is o
a, b = Counted(), Counted()
d = {}
d.setdefault(a, 1)
d.setdefault(b, 2)
print(Counted.hashes, Counted.eqs)

class Y:
    def __eq__(self, other):
        dict_a.clear()
        return True
    def __hash__(self):
        return 13
dict_a = {Y(): 0}
dict_b = {Y(): Y()}
print(dict_a == dict_b)

class C:
    def __eq__(self, other):
        raise ValueError('eq')
try:
    {1: C()}.items() == {1: C()}.items()
except ValueError as e:
    print('ValueError:', e)
print({1: 2}.keys() == {1}, {1: 2}.items() <= {(1, 2), 3}, {1: 2}.keys() == [1])

import collections
od = collections.OrderedDict([('a', 1), ('b', 2)])
od.move_to_end('a')
print(list(dict(od).items()))
a = {0: 0}
print(a.__ior__([(1, 1)]), {1: 1}.__ror__({2: 2}), a.__or__(None))

class mydict(dict):
    def __new__(cls):
        return collections.UserDict()
print(type(mydict.fromkeys('ab')).__name__, dict.fromkeys('ab', 0))
