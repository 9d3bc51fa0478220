import sys as _sys

def _f(): pass
FunctionType = type(_f)
LambdaType = FunctionType
def _g():
    yield 1
GeneratorType = type(_g())
class _C:
    def _m(self): pass
MethodType = type(_C()._m)
BuiltinFunctionType = type(len)
BuiltinMethodType = type([].append)
ModuleType = type(_sys)
NoneType = type(None)
EllipsisType = type(...)
NotImplementedType = type(NotImplemented)
CodeType = type(_f.__code__)
async def _c(): pass
_c = _c()
CoroutineType = type(_c)
_c.close()
async def _ag():
    yield
AsyncGeneratorType = type(_ag())
del _c, _ag
GenericAlias = type(list[int])
# inspect sorts callables by these (its _NonUserDefinedCallables)
WrapperDescriptorType = type(object.__init__)
MethodWrapperType = type(object().__str__)
MethodDescriptorType = type(str.join)
ClassMethodDescriptorType = type(dict.__dict__['fromkeys'])
try:
    raise TypeError
except TypeError as _exc:
    TracebackType = type(_exc.__traceback__)
    FrameType = type(_exc.__traceback__.tb_frame)
UnionType = type(int | str)

class SimpleNamespace:
    def __init__(self, /, **kwargs):
        self.__dict__.update(kwargs)
    def __repr__(self):
        items = (f"{k}={v!r}" for k, v in self.__dict__.items())
        return "{}({})".format(type(self).__name__, ", ".join(items))
    def __eq__(self, other):
        if isinstance(self, SimpleNamespace) and isinstance(other, SimpleNamespace):
            return self.__dict__ == other.__dict__
        return NotImplemented

class MappingProxyType:
    def __init__(self, mapping):
        self._m = mapping
    def __getitem__(self, k):
        return self._m[k]
    def __len__(self):
        return len(self._m)
    def __iter__(self):
        return iter(self._m)
    def __contains__(self, k):
        return k in self._m
    def keys(self):
        return self._m.keys()
    def items(self):
        return self._m.items()
    def values(self):
        return self._m.values()
    def get(self, k, d=None):
        return self._m.get(k, d)
    def __repr__(self):
        return 'mappingproxy(' + repr(self._m) + ')'

def new_class(name, bases=(), kwds=None, exec_body=None):
    ns = {}
    if exec_body is not None:
        exec_body(ns)
    return type(name, bases, ns)


def coroutine(func):
    """Make a generator function usable with await (sets CO_ITERABLE_COROUTINE on its code)."""
    if not callable(func):
        raise TypeError('types.coroutine() expects a callable')
    if type(func) is FunctionType:
        flags = func.__code__.co_flags
        if flags & 0x380:  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR: already awaitable
            return func
        if flags & 0x20:  # CO_GENERATOR
            func.__code__ = func.__code__.replace(co_flags=flags | 0x100)
            return func
    return func
