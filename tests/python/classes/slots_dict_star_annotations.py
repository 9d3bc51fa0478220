# __slots__ listing '__dict__' on built-in bases, set subclasses' __dict__, PEP 646 starred annotations and
# subscripts, and a __call__ chain that recurses forever (CPython ends it with RecursionError).

class SetWithSlots(set):
    __slots__ = ('x', 'y', '__dict__')

s = SetWithSlots([3, 1])
s.x = 10
s.extra = 'e'
print(sorted(s), s.x, s.extra)

class FrozenWithSlots(frozenset):
    __slots__ = ('x', '__dict__')

f = FrozenWithSlots('ab')
f.tag = 1
print(sorted(f), f.tag)

class PlainSet(set):
    pass

p = PlainSet()
p.a = 1
print(p.__dict__)


def refused(make):
    try:
        make()
    except TypeError as e:
        print('TypeError:', e)
    else:
        print('accepted')

class Base: pass
class Slotted: __slots__ = ('a',)
class SlottedDict(Slotted): __slots__ = ('__dict__',)

refused(lambda: type('E', (Exception,), {'__slots__': ('__dict__',)}))
refused(lambda: type('B', (Base,), {'__slots__': ('__dict__',)}))
refused(lambda: type('S', (Slotted,), {'__slots__': ('__dict__',)}))
refused(lambda: type('T', (SlottedDict,), {'__slots__': ('__dict__',)}))
refused(lambda: type('L', (list,), {'__slots__': ('__dict__',)}))
refused(lambda: type('D', (object,), {'__slots__': ('__dict__', '__dict__')}))
d = SlottedDict()
d.q = 1
print(d.__dict__)


def star_args(*args: *[int]): pass
print(star_args.__annotations__)
try:
    def too_many(*args: *[int, str]): pass
except ValueError as e:
    print('ValueError:', e)

table = {}
table[*[1, 2]] = 'pair'
table[*[5]] = 'one'
print(table, table[*(5,)])
print(tuple[*[int, str]], dict[str, *[int]])


class Recursive: pass
Recursive.__call__ = Recursive()
try:
    Recursive()()
except RecursionError as e:
    print('RecursionError:', e)
