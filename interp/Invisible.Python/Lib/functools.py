def reduce(function, iterable, *args):
    it = iter(iterable)
    if args:
        value = args[0]
    else:
        try:
            value = next(it)
        except StopIteration:
            raise TypeError("reduce() of empty iterable with no initial value") from None
    for element in it:
        value = function(value, element)
    return value

class partial:
    def __init__(self, func, *args, **keywords):
        if not callable(func):
            raise TypeError("the first argument must be callable")
        self.func = func
        self.args = args
        self.keywords = keywords
    def __call__(self, *args, **keywords):
        kw = dict(self.keywords)
        kw.update(keywords)
        return self.func(*self.args, *args, **kw)
    def __repr__(self):
        parts = [repr(self.func)]
        parts.extend(repr(x) for x in self.args)
        parts.extend(f"{k}={v!r}" for k, v in self.keywords.items())
        return "functools.partial(" + ", ".join(parts) + ")"

WRAPPER_ASSIGNMENTS = ('__module__', '__name__', '__qualname__', '__doc__')

def update_wrapper(wrapper, wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=('__dict__',)):
    for attr in assigned:
        try:
            value = getattr(wrapped, attr)
        except AttributeError:
            pass
        else:
            try:
                setattr(wrapper, attr, value)
            except (AttributeError, TypeError):
                pass
    try:
        wrapper.__wrapped__ = wrapped
    except (AttributeError, TypeError):
        pass
    return wrapper

def wraps(wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=('__dict__',)):
    def deco(wrapper):
        return update_wrapper(wrapper, wrapped, assigned, updated)
    return deco

class _CacheInfo(tuple):
    def __new__(cls, hits, misses, maxsize, currsize):
        return tuple.__new__(cls, (hits, misses, maxsize, currsize))
    hits = property(lambda self: self[0])
    misses = property(lambda self: self[1])
    maxsize = property(lambda self: self[2])
    currsize = property(lambda self: self[3])
    def __repr__(self):
        return "CacheInfo(hits=%r, misses=%r, maxsize=%r, currsize=%r)" % tuple(self)

def _make_key(args, kwds, typed):
    key = args
    if kwds:
        key += (object,)
        for item in kwds.items():
            key += item
    if typed:
        key += tuple(type(v) for v in args)
    if len(key) == 1 and type(key[0]) in (int, str):
        return key[0]
    return key

def lru_cache(maxsize=128, typed=False):
    if callable(maxsize) and not isinstance(maxsize, int):
        return lru_cache(128, False)(maxsize)
    def decorating_function(user_function):
        cache = {}
        stats = [0, 0]
        def wrapper(*args, **kwds):
            key = _make_key(args, kwds, typed)
            try:
                result = cache[key]
                stats[0] += 1
                if maxsize is not None:
                    del cache[key]
                    cache[key] = result
                return result
            except KeyError:
                pass
            stats[1] += 1
            result = user_function(*args, **kwds)
            cache[key] = result
            if maxsize is not None and len(cache) > maxsize:
                del cache[next(iter(cache))]
            return result
        def cache_info():
            return _CacheInfo(stats[0], stats[1], maxsize, len(cache))
        def cache_clear():
            cache.clear()
            stats[0] = stats[1] = 0
        wrapper.cache_info = cache_info
        wrapper.cache_clear = cache_clear
        return update_wrapper(wrapper, user_function)
    return decorating_function

def cache(user_function):
    return lru_cache(maxsize=None)(user_function)

def total_ordering(cls):
    roots = {op for op in ('__lt__', '__le__', '__gt__', '__ge__') if op in cls.__dict__}
    if not roots:
        raise ValueError('must define at least one ordering operation: < > <= >=')
    if '__lt__' in roots:
        lt = cls.__lt__
        if '__gt__' not in roots: cls.__gt__ = lambda self, other: _ni(lt(other, self)) if type(self) == type(other) else _flip(self, other, '__lt__')
        if '__le__' not in roots: cls.__le__ = lambda self, other: _or_eq(lt(self, other), self, other)
        if '__ge__' not in roots: cls.__ge__ = lambda self, other: _not(lt(self, other))
    elif '__le__' in roots:
        le = cls.__le__
        if '__ge__' not in roots: cls.__ge__ = lambda self, other: le(other, self)
        if '__lt__' not in roots: cls.__lt__ = lambda self, other: _and_ne(le(self, other), self, other)
        if '__gt__' not in roots: cls.__gt__ = lambda self, other: _not(le(self, other))
    elif '__gt__' in roots:
        gt = cls.__gt__
        if '__lt__' not in roots: cls.__lt__ = lambda self, other: gt(other, self)
        if '__ge__' not in roots: cls.__ge__ = lambda self, other: _or_eq(gt(self, other), self, other)
        if '__le__' not in roots: cls.__le__ = lambda self, other: _not(gt(self, other))
    else:
        ge = cls.__ge__
        if '__le__' not in roots: cls.__le__ = lambda self, other: ge(other, self)
        if '__gt__' not in roots: cls.__gt__ = lambda self, other: _and_ne(ge(self, other), self, other)
        if '__lt__' not in roots: cls.__lt__ = lambda self, other: _not(ge(self, other))
    return cls

def _ni(x):
    return x
def _flip(self, other, op):
    return getattr(other, op)(self)
def _not(r):
    return r if r is NotImplemented else not r
def _or_eq(r, a, b):
    return r if r is NotImplemented else (r or a == b)
def _and_ne(r, a, b):
    return r if r is NotImplemented else (r and a != b)

def cmp_to_key(mycmp):
    class K(object):
        __slots__ = ['obj']
        def __init__(self, obj):
            self.obj = obj
        def __lt__(self, other):
            return mycmp(self.obj, other.obj) < 0
        def __gt__(self, other):
            return mycmp(self.obj, other.obj) > 0
        def __eq__(self, other):
            return mycmp(self.obj, other.obj) == 0
        def __le__(self, other):
            return mycmp(self.obj, other.obj) <= 0
        def __ge__(self, other):
            return mycmp(self.obj, other.obj) >= 0
        __hash__ = None
    return K

class cached_property:
    def __init__(self, func):
        self.func = func
        self.attrname = None
        self.__doc__ = func.__doc__
    def __set_name__(self, owner, name):
        self.attrname = name
    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        val = self.func(instance)
        instance.__dict__[self.attrname] = val
        return val

def singledispatch(func):
    registry = {object: func}
    def dispatch(cls):
        for c in cls.__mro__:
            if c in registry:
                return registry[c]
        return func
    def register(cls, f=None):
        if f is None:
            if isinstance(cls, type):
                return lambda f: register(cls, f)
            f = cls
            cls = list(f.__annotations__.values())[0]
        registry[cls] = f
        return f
    def wrapper(*args, **kw):
        return dispatch(args[0].__class__)(*args, **kw)
    wrapper.register = register
    wrapper.dispatch = dispatch
    wrapper.registry = registry
    update_wrapper(wrapper, func)
    return wrapper


def _unwrap_partial(func):
    """inspect's _has_code_flag looks through partial objects with it."""
    while isinstance(func, partial):
        func = func.func
    return func
