import types, typing, collections.abc as cabc
print(repr(list[...]), list[int].__class__, repr(int|list[int]|None))
a=list[int]
print(a.__unpacked__, [*tuple[int]], a.__args__, a.__parameters__, a.__origin__)
print(types.GenericAlias(1,2), list[int].__reduce__(), (int|str).__parameters__, (int|str).__args__)
print(hash(int|str)==hash(str|int), list[int]==list[int], list[int].__mro_entries__(()))
for f in (lambda: list[int][int], lambda: types.GenericAlias(1), lambda: types.UnionType(), lambda: isinstance(1, list[int]), lambda: int | "x"):
    try: f()
    except Exception as e: print(type(e).__name__, e)
T=typing.TypeVar('T'); S=typing.TypeVar('S')
print(dict[str,T][int], dict[T, list[S]][str, int], (list[T]|None)[int], dict[T,S].__parameters__)
print(int | typing.List[int], cabc.Callable[[int], T][str], cabc.Callable[[int], str].__args__)
class C(list[int]): pass
print(C.__mro__, isinstance(1, int|str), issubclass(bool, int|str), (int|str)==(str|int))
print(typing.get_args(list[int]), typing.Union[int, list[int]])
print(list[int](), type(iter(tuple[int])))
# subscripting through typing's protocol, bare classes stay
class A(typing.Generic[T]): pass
print(tuple[A, T][int] == tuple[A, int], cabc.Callable[[A], T][int])
# unions: only classes, aliases and None combine; typing's forms answer the rest
print(int | None, None | list[str], int | int, (int | str) | (str | bytes))
try: int | 3
except TypeError as e: print(e)
# isinstance/issubclass through an object's __instancecheck__ and __bases__
class Checker:
    def __instancecheck__(self, o): return o == 42
    def __subclasscheck__(self, c): return c is bool
print(isinstance(42, Checker()), isinstance(1, Checker()), issubclass(bool, Checker()))
class Fake:
    __bases__ = ()
try: isinstance(1, object())
except TypeError as e: print(e)
print(isinstance(1, Fake()))
class NoIter:
    __iter__ = None
try: iter(NoIter())
except TypeError as e: print(e)
# pickle by name, BytesIO.getbuffer
import pickle, io
print(pickle.loads(pickle.dumps((..., NotImplemented, len, type(...), list[int], int | str))))
b = io.BytesIO(b"abc"); v = b.getbuffer(); v[0] = ord("x"); print(bytes(v), b.getvalue())
Emp = typing.TypedDict('Emp', {'name': str, 'id': int})
print(Emp(name='Jim', id=1))
try: object.__new__()
except TypeError as e: print(e)
print(object.__new__.__self__ is object)
