# __dict__ and __weakref__ getset descriptors in the class that adds them (CPython's type_new_descriptors)
import weakref
for b in [object, int, list, dict, set, Exception, str, tuple]:
    class C(b): pass
    print(b.__name__, '__dict__' in C.__dict__, '__weakref__' in C.__dict__, C.__dict__.get('__dict__'), C.__dict__.get('__weakref__'))
class A: pass
class B(A): pass
print('__dict__' in B.__dict__, sorted(B.__dict__))
class S: __slots__ = ('a',)
class T(S): pass
print(sorted(T.__dict__), sorted(S.__dict__))
class U: __slots__ = ('__dict__',)
print(sorted(U.__dict__))
class W: __slots__ = ('__weakref__',)
print(sorted(W.__dict__))
o = A(); r = weakref.ref(o); print(o.__weakref__ is r, A().__weakref__)
print(A.__dict__['__dict__'].__get__(o), A.__dict__['__dict__'])
d = {'z': 1}
o.__dict__ = d; print(o.z); d['w'] = 2; print(o.w, o.__dict__ is d)
A.__dict__['__dict__'].__set__(o, {'y': 1}); print(o.y)
for stmt in ["A.__dict__['__dict__'].__set__(o, 1)", "A.__dict__['__dict__'].__get__(1)", "o.__weakref__ = 1", "o.__dict__ = []"]:
    try:
        exec(stmt)
    except Exception as e:
        print(type(e).__name__, e)
del o.__dict__
print(o.__dict__)
print(vars(o), vars(A)['__dict__'])
class L(list): pass
l = L(); l.__dict__ = {'q': 2}; print(l.q, vars(l))
