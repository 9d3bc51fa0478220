namespace Invisible.Python.Modules;

/// <summary>Standard modules written in Python, compiled on first import.</summary>
public static class PySources
{
    public const string Random = """
from _random import Random as _CoreRandom
import math as _math

class Random(_CoreRandom):
    def __init__(self, x=None):
        self.seed(x)
        self.gauss_next = None

    def seed(self, a=None, version=2):
        super().seed(a)
        self.gauss_next = None

    def _randbelow(self, n):
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return r

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            if start > 0:
                return self._randbelow(start)
            raise ValueError("empty range for randrange()")
        width = stop - start
        if step == 1:
            if width > 0:
                return start + self._randbelow(width)
            raise ValueError("empty range for randrange() (%d, %d, %d)" % (start, stop, width))
        if step > 0:
            n = (width + step - 1) // step
        elif step < 0:
            n = (width + step + 1) // step
        else:
            raise ValueError("zero step for randrange()")
        if n <= 0:
            raise ValueError("empty range for randrange()")
        return start + step * self._randbelow(n)

    def randint(self, a, b):
        return self.randrange(a, b + 1)

    def choice(self, seq):
        if not len(seq):
            raise IndexError('Cannot choose from an empty sequence')
        return seq[self._randbelow(len(seq))]

    def shuffle(self, x):
        randbelow = self._randbelow
        for i in reversed(range(1, len(x))):
            j = randbelow(i + 1)
            x[i], x[j] = x[j], x[i]

    def sample(self, population, k, *, counts=None):
        if isinstance(population, (set, frozenset)):
            raise TypeError("Population must be a sequence.  For dicts or sets, use sorted(d).")
        n = len(population)
        if not 0 <= k <= n:
            raise ValueError("Sample larger than population or is negative")
        result = [None] * k
        setsize = 21
        if k > 5:
            setsize += 4 ** _math.ceil(_math.log(k * 3, 4))
        if n <= setsize:
            pool = list(population)
            for i in range(k):
                j = self._randbelow(n - i)
                result[i] = pool[j]
                pool[j] = pool[n - i - 1]
        else:
            selected = set()
            for i in range(k):
                j = self._randbelow(n)
                while j in selected:
                    j = self._randbelow(n)
                selected.add(j)
                result[i] = population[j]
        return result

    def choices(self, population, weights=None, *, cum_weights=None, k=1):
        n = len(population)
        if cum_weights is None:
            if weights is None:
                return [population[_math.floor(self.random() * n)] for i in range(k)]
            cum_weights = []
            total = 0
            for w in weights:
                total += w
                cum_weights.append(total)
        total = cum_weights[-1] + 0.0
        hi = n - 1
        from bisect import bisect
        return [population[bisect(cum_weights, self.random() * total, 0, hi)] for i in range(k)]

    def uniform(self, a, b):
        return a + (b - a) * self.random()

    def triangular(self, low=0.0, high=1.0, mode=None):
        u = self.random()
        try:
            c = 0.5 if mode is None else (mode - low) / (high - low)
        except ZeroDivisionError:
            return low
        if u > c:
            u = 1.0 - u
            c = 1.0 - c
            low, high = high, low
        return low + (high - low) * _math.sqrt(u * c)

    def gauss(self, mu=0.0, sigma=1.0):
        z = self.gauss_next
        self.gauss_next = None
        if z is None:
            x2pi = self.random() * (2 * _math.pi)
            g2rad = _math.sqrt(-2.0 * _math.log(1.0 - self.random()))
            z = _math.cos(x2pi) * g2rad
            self.gauss_next = _math.sin(x2pi) * g2rad
        return mu + z * sigma

    def normalvariate(self, mu=0.0, sigma=1.0):
        NV_MAGICCONST = 4 * _math.exp(-0.5) / _math.sqrt(2.0)
        while True:
            u1 = self.random()
            u2 = 1.0 - self.random()
            z = NV_MAGICCONST * (u1 - 0.5) / u2
            zz = z * z / 4.0
            if zz <= -_math.log(u2):
                break
        return mu + z * sigma

    def expovariate(self, lambd=1.0):
        return -_math.log(1.0 - self.random()) / lambd

_inst = Random()
seed = _inst.seed
random = _inst.random
uniform = _inst.uniform
triangular = _inst.triangular
randint = _inst.randint
choice = _inst.choice
randrange = _inst.randrange
sample = _inst.sample
shuffle = _inst.shuffle
choices = _inst.choices
normalvariate = _inst.normalvariate
gauss = _inst.gauss
expovariate = _inst.expovariate
getrandbits = _inst.getrandbits
""";

    public const string Bisect = """
def bisect_right(a, x, lo=0, hi=None, *, key=None):
    if lo < 0:
        raise ValueError('lo must be non-negative')
    if hi is None:
        hi = len(a)
    if key is None:
        while lo < hi:
            mid = (lo + hi) // 2
            if x < a[mid]:
                hi = mid
            else:
                lo = mid + 1
    else:
        while lo < hi:
            mid = (lo + hi) // 2
            if x < key(a[mid]):
                hi = mid
            else:
                lo = mid + 1
    return lo

def bisect_left(a, x, lo=0, hi=None, *, key=None):
    if lo < 0:
        raise ValueError('lo must be non-negative')
    if hi is None:
        hi = len(a)
    if key is None:
        while lo < hi:
            mid = (lo + hi) // 2
            if a[mid] < x:
                lo = mid + 1
            else:
                hi = mid
    else:
        while lo < hi:
            mid = (lo + hi) // 2
            if key(a[mid]) < x:
                lo = mid + 1
            else:
                hi = mid
    return lo

def insort_right(a, x, lo=0, hi=None, *, key=None):
    if key is None:
        lo = bisect_right(a, x, lo, hi)
    else:
        lo = bisect_right(a, key(x), lo, hi, key=key)
    a.insert(lo, x)

def insort_left(a, x, lo=0, hi=None, *, key=None):
    if key is None:
        lo = bisect_left(a, x, lo, hi)
    else:
        lo = bisect_left(a, key(x), lo, hi, key=key)
    a.insert(lo, x)

bisect = bisect_right
insort = insort_right
""";

    public const string Heapq = """
def heappush(heap, item):
    heap.append(item)
    _siftdown(heap, 0, len(heap) - 1)

def heappop(heap):
    lastelt = heap.pop()
    if heap:
        returnitem = heap[0]
        heap[0] = lastelt
        _siftup(heap, 0)
        return returnitem
    return lastelt

def heapreplace(heap, item):
    returnitem = heap[0]
    heap[0] = item
    _siftup(heap, 0)
    return returnitem

def heappushpop(heap, item):
    if heap and heap[0] < item:
        item, heap[0] = heap[0], item
        _siftup(heap, 0)
    return item

def heapify(x):
    n = len(x)
    for i in reversed(range(n // 2)):
        _siftup(x, i)

def _siftdown(heap, startpos, pos):
    newitem = heap[pos]
    while pos > startpos:
        parentpos = (pos - 1) >> 1
        parent = heap[parentpos]
        if newitem < parent:
            heap[pos] = parent
            pos = parentpos
            continue
        break
    heap[pos] = newitem

def _siftup(heap, pos):
    endpos = len(heap)
    startpos = pos
    newitem = heap[pos]
    childpos = 2 * pos + 1
    while childpos < endpos:
        rightpos = childpos + 1
        if rightpos < endpos and not heap[childpos] < heap[rightpos]:
            childpos = rightpos
        heap[pos] = heap[childpos]
        pos = childpos
        childpos = 2 * pos + 1
    heap[pos] = newitem
    _siftdown(heap, startpos, pos)

def nlargest(n, iterable, key=None):
    return sorted(iterable, key=key, reverse=True)[:n]

def nsmallest(n, iterable, key=None):
    return sorted(iterable, key=key)[:n]

def merge(*iterables, key=None, reverse=False):
    result = []
    for it in iterables:
        result.extend(it)
    result.sort(key=key, reverse=reverse)
    return iter(result)
""";

    public const string String = """
whitespace = ' \t\n\r\x0b\x0c'
ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
ascii_letters = ascii_lowercase + ascii_uppercase
digits = '0123456789'
hexdigits = digits + 'abcdef' + 'ABCDEF'
octdigits = '01234567'
punctuation = r'''!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~'''
printable = digits + ascii_letters + punctuation + whitespace

def capwords(s, sep=None):
    return (sep or ' ').join(x.capitalize() for x in s.split(sep))

class Template:
    delimiter = '$'
    def __init__(self, template):
        self.template = template
    def _sub(self, mapping, safe):
        import re
        def repl(m):
            name = m.group(2) or m.group(3)
            if m.group(1) is not None:
                return '$'
            if name in mapping:
                return str(mapping[name])
            if safe:
                return m.group(0)
            raise KeyError(name)
        return re.sub(r'\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})', repl, self.template)
    def substitute(self, mapping=None, **kws):
        d = dict(mapping or {})
        d.update(kws)
        return self._sub(d, False)
    def safe_substitute(self, mapping=None, **kws):
        d = dict(mapping or {})
        d.update(kws)
        return self._sub(d, True)
""";

    public const string Itertools = """
class count:
    def __init__(self, start=0, step=1):
        self._n = start
        self._step = step
    def __iter__(self):
        return self
    def __next__(self):
        n = self._n
        self._n = n + self._step
        return n
    def __repr__(self):
        if self._step == 1:
            return 'count(%r)' % (self._n,)
        return 'count(%r, %r)' % (self._n, self._step)

def cycle(iterable):
    saved = []
    for element in iterable:
        yield element
        saved.append(element)
    while saved:
        for element in saved:
            yield element

class repeat:
    def __init__(self, obj, times=None):
        self._obj = obj
        self._times = times
    def __iter__(self):
        return self
    def __next__(self):
        if self._times is not None:
            if self._times <= 0:
                raise StopIteration
            self._times -= 1
        return self._obj
    def __len__(self):
        return self._times if self._times is not None else 0
    def __repr__(self):
        if self._times is None:
            return 'repeat(%r)' % (self._obj,)
        return 'repeat(%r, %d)' % (self._obj, self._times)

def accumulate(iterable, func=None, *, initial=None):
    it = iter(iterable)
    total = initial
    if initial is None:
        try:
            total = next(it)
        except StopIteration:
            return
    yield total
    for element in it:
        total = total + element if func is None else func(total, element)
        yield total

class chain:
    def __init__(self, *iterables):
        self._its = iter(iterables)
        self._cur = None
    @classmethod
    def from_iterable(cls, iterables):
        c = cls()
        c._its = iter(iterables)
        return c
    def __iter__(self):
        return self
    def __next__(self):
        while True:
            if self._cur is None:
                self._cur = iter(next(self._its))
            try:
                return next(self._cur)
            except StopIteration:
                self._cur = None

def compress(data, selectors):
    return (d for d, s in zip(data, selectors) if s)

def dropwhile(predicate, iterable):
    it = iter(iterable)
    for x in it:
        if not predicate(x):
            yield x
            break
    for x in it:
        yield x

def takewhile(predicate, iterable):
    for x in iterable:
        if predicate(x):
            yield x
        else:
            break

def filterfalse(predicate, iterable):
    if predicate is None:
        predicate = bool
    for x in iterable:
        if not predicate(x):
            yield x

def groupby(iterable, key=None):
    keyfunc = (lambda x: x) if key is None else key
    it = iter(iterable)
    try:
        cur = next(it)
    except StopIteration:
        return
    ckey = keyfunc(cur)
    while True:
        tgt = ckey
        items = [cur]
        while True:
            try:
                cur = next(it)
            except StopIteration:
                yield tgt, iter(items)
                return
            ckey = keyfunc(cur)
            if ckey != tgt:
                break
            items.append(cur)
        yield tgt, iter(items)

def islice(iterable, *args):
    s = slice(*args)
    start, stop, step = s.start or 0, s.stop, s.step or 1
    if start < 0 or (stop is not None and stop < 0) or step <= 0:
        raise ValueError("Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.")
    it = iter(iterable)
    i = 0
    nexti = start
    for element in it:
        if stop is not None and i >= stop:
            return
        if i == nexti:
            yield element
            nexti += step
        i += 1

def starmap(function, iterable):
    for args in iterable:
        yield function(*args)

def tee(iterable, n=2):
    it = iter(iterable)
    buf = []
    pos = [0] * n
    def gen(k):
        while True:
            if pos[k] < len(buf):
                v = buf[pos[k]]
            else:
                try:
                    v = next(it)
                except StopIteration:
                    return
                buf.append(v)
            pos[k] += 1
            yield v
    return tuple(gen(k) for k in range(n))

def zip_longest(*args, fillvalue=None):
    iterators = [iter(it) for it in args]
    num_active = len(iterators)
    if not num_active:
        return
    while True:
        values = []
        for i, it in enumerate(iterators):
            try:
                value = next(it)
            except StopIteration:
                num_active -= 1
                if not num_active:
                    return
                iterators[i] = repeat(fillvalue)
                value = fillvalue
            values.append(value)
        yield tuple(values)

def product(*args, repeat=1):
    pools = [tuple(pool) for pool in args] * repeat
    result = [[]]
    for pool in pools:
        result = [x + [y] for x in result for y in pool]
    for prod in result:
        yield tuple(prod)

def permutations(iterable, r=None):
    pool = tuple(iterable)
    n = len(pool)
    r = n if r is None else r
    if r > n:
        return
    indices = list(range(n))
    cycles = list(range(n, n - r, -1))
    yield tuple(pool[i] for i in indices[:r])
    while n:
        for i in reversed(range(r)):
            cycles[i] -= 1
            if cycles[i] == 0:
                indices[i:] = indices[i + 1:] + indices[i:i + 1]
                cycles[i] = n - i
            else:
                j = cycles[i]
                indices[i], indices[-j] = indices[-j], indices[i]
                yield tuple(pool[i] for i in indices[:r])
                break
        else:
            return

def combinations(iterable, r):
    pool = tuple(iterable)
    n = len(pool)
    if r > n:
        return
    indices = list(range(r))
    yield tuple(pool[i] for i in indices)
    while True:
        for i in reversed(range(r)):
            if indices[i] != i + n - r:
                break
        else:
            return
        indices[i] += 1
        for j in range(i + 1, r):
            indices[j] = indices[j - 1] + 1
        yield tuple(pool[i] for i in indices)

def combinations_with_replacement(iterable, r):
    pool = tuple(iterable)
    n = len(pool)
    if not n and r:
        return
    indices = [0] * r
    yield tuple(pool[i] for i in indices)
    while True:
        for i in reversed(range(r)):
            if indices[i] != n - 1:
                break
        else:
            return
        indices[i:] = [indices[i] + 1] * (r - i)
        yield tuple(pool[i] for i in indices)

def pairwise(iterable):
    it = iter(iterable)
    try:
        a = next(it)
    except StopIteration:
        return
    for b in it:
        yield a, b
        a = b

def batched(iterable, n):
    it = iter(iterable)
    while True:
        batch = tuple(islice(it, n))
        if not batch:
            return
        yield batch
""";

    public const string Functools = """
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
""";

    public const string Collections = """
from _collections import deque
import sys as _sys
from operator import itemgetter as _itemgetter

class defaultdict(dict):
    def __init__(self, default_factory=None, *args, **kwargs):
        if default_factory is not None and not callable(default_factory):
            raise TypeError('first argument must be callable or None')
        super().__init__(*args, **kwargs)
        self.default_factory = default_factory
    def __missing__(self, key):
        if self.default_factory is None:
            raise KeyError(key)
        value = self.default_factory()
        self[key] = value
        return value
    def __repr__(self):
        return '%s(%r, %s)' % (type(self).__name__, self.default_factory, dict.__repr__(self))
    def copy(self):
        return type(self)(self.default_factory, self)
    __copy__ = copy

class OrderedDict(dict):
    def move_to_end(self, key, last=True):
        value = self.pop(key)
        if last:
            self[key] = value
        else:
            items = list(self.items())
            self.clear()
            self[key] = value
            for k, v in items:
                self[k] = v
    def popitem(self, last=True):
        if not self:
            raise KeyError('dictionary is empty')
        key = next(reversed(self)) if last else next(iter(self))
        value = self.pop(key)
        return key, value
    def __repr__(self):
        if not self:
            return '%s()' % (self.__class__.__name__,)
        return '%s(%r)' % (self.__class__.__name__, list(self.items()))
    def __eq__(self, other):
        if isinstance(other, OrderedDict):
            return dict.__eq__(self, other) and list(self) == list(other)
        return dict.__eq__(self, other)
    __hash__ = None
    def copy(self):
        return type(self)(self)

class Counter(dict):
    def __init__(self, iterable=None, /, **kwds):
        super().__init__()
        self.update(iterable, **kwds)
    def __missing__(self, key):
        return 0
    def total(self):
        return sum(self.values())
    def most_common(self, n=None):
        items = sorted(self.items(), key=_itemgetter(1), reverse=True)
        if n is None:
            return items
        return items[:n]
    def elements(self):
        for elem, count in self.items():
            for _ in range(count):
                yield elem
    def update(self, iterable=None, /, **kwds):
        if iterable is not None:
            if isinstance(iterable, dict):
                for elem, count in iterable.items():
                    self[elem] = count + self.get(elem, 0)
            else:
                for elem in iterable:
                    self[elem] = self.get(elem, 0) + 1
        if kwds:
            self.update(kwds)
    def subtract(self, iterable=None, /, **kwds):
        if iterable is not None:
            if isinstance(iterable, dict):
                for elem, count in iterable.items():
                    self[elem] = self.get(elem, 0) - count
            else:
                for elem in iterable:
                    self[elem] = self.get(elem, 0) - 1
        if kwds:
            self.subtract(kwds)
    def copy(self):
        return self.__class__(self)
    def __delitem__(self, elem):
        if elem in self:
            super().__delitem__(elem)
    def __repr__(self):
        if not self:
            return f'{self.__class__.__name__}()'
        d = ', '.join(f'{k!r}: {v!r}' for k, v in self.most_common())
        return f'{self.__class__.__name__}({{{d}}})'
    def __add__(self, other):
        if not isinstance(other, Counter):
            return NotImplemented
        result = Counter()
        for elem, count in self.items():
            newcount = count + other[elem]
            if newcount > 0:
                result[elem] = newcount
        for elem, count in other.items():
            if elem not in self and count > 0:
                result[elem] = count
        return result
    def __sub__(self, other):
        if not isinstance(other, Counter):
            return NotImplemented
        result = Counter()
        for elem, count in self.items():
            newcount = count - other[elem]
            if newcount > 0:
                result[elem] = newcount
        for elem, count in other.items():
            if elem not in self and count < 0:
                result[elem] = 0 - count
        return result
    def __or__(self, other):
        result = Counter()
        for elem, count in self.items():
            other_count = other[elem]
            newcount = other_count if count < other_count else count
            if newcount > 0:
                result[elem] = newcount
        for elem, count in other.items():
            if elem not in self and count > 0:
                result[elem] = count
        return result
    def __and__(self, other):
        result = Counter()
        for elem, count in self.items():
            other_count = other[elem]
            newcount = count if count < other_count else other_count
            if newcount > 0:
                result[elem] = newcount
        return result
    def __eq__(self, other):
        if not isinstance(other, Counter):
            return NotImplemented
        return all(self[e] == other[e] for c in (self, other) for e in c)
    __hash__ = None

def namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    if isinstance(field_names, str):
        field_names = field_names.replace(',', ' ').split()
    field_names = tuple(map(str, field_names))
    if rename:
        seen = set()
        names = []
        for index, name in enumerate(field_names):
            if (not name.isidentifier() or name.startswith('_') or name in seen):
                name = f'_{index}'
            seen.add(name)
            names.append(name)
        field_names = tuple(names)
    for name in (typename,) + field_names:
        if not name.isidentifier():
            raise ValueError(f'Type names and field names must be valid identifiers: {name!r}')
    seen = set()
    for name in field_names:
        if name.startswith('_') and not rename:
            raise ValueError(f'Field names cannot start with an underscore: {name!r}')
        if name in seen:
            raise ValueError(f'Encountered duplicate field name: {name!r}')
        seen.add(name)
    num_fields = len(field_names)
    field_defaults = {}
    if defaults is not None:
        defaults = tuple(defaults)
        if len(defaults) > num_fields:
            raise TypeError('Got more default values than field names')
        field_defaults = dict(reversed(list(zip(reversed(field_names), reversed(defaults)))))

    def __new__(_cls, *args, **kwargs):
        if len(args) > num_fields:
            raise TypeError(f'{typename}() takes {num_fields} positional arguments but {len(args)} were given')
        values = list(args)
        for name in field_names[len(args):]:
            if name in kwargs:
                values.append(kwargs.pop(name))
            elif name in field_defaults:
                values.append(field_defaults[name])
            else:
                raise TypeError(f"{typename}.__new__() missing 1 required positional argument: '{name}'")
        if kwargs:
            k = next(iter(kwargs))
            if k in field_names[:len(args)]:
                raise TypeError(f"{typename}.__new__() got multiple values for argument '{k}'")
            raise TypeError(f"{typename}.__new__() got an unexpected keyword argument '{k}'")
        return tuple.__new__(_cls, values)

    def _make(cls, iterable):
        result = tuple.__new__(cls, iterable)
        if len(result) != num_fields:
            raise TypeError(f'Expected {num_fields} arguments, got {len(result)}')
        return result

    def _replace(self, /, **kwds):
        result = self._make(map(kwds.pop, field_names, self))
        if kwds:
            raise ValueError(f'Got unexpected field names: {list(kwds)!r}')
        return result

    def __repr__(self):
        return self.__class__.__name__ + '(' + ', '.join(f'{n}={v!r}' for n, v in zip(field_names, self)) + ')'

    def _asdict(self):
        return dict(zip(self._fields, self))

    def __getnewargs__(self):
        return tuple(self)

    class_namespace = {
        '__doc__': f'{typename}({", ".join(field_names)})',
        '__slots__': (),
        '_fields': field_names,
        '_field_defaults': field_defaults,
        '__new__': __new__,
        '_make': classmethod(_make),
        '_replace': _replace,
        '__repr__': __repr__,
        '_asdict': _asdict,
        '__getnewargs__': __getnewargs__,
        '__match_args__': field_names,
    }
    for index, name in enumerate(field_names):
        class_namespace[name] = property(_itemgetter(index), doc=f'Alias for field number {index}')
    result = type(typename, (tuple,), class_namespace)
    if module is None:
        try:
            module = _sys._getframe_module()
        except (AttributeError, ValueError):
            module = '__main__'
    result.__module__ = module
    return result

class ChainMap(dict):
    def __init__(self, *maps):
        self.maps = list(maps) or [{}]
    def __getitem__(self, key):
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        raise KeyError(key)
    def get(self, key, default=None):
        return self[key] if key in self else default
    def __contains__(self, key):
        return any(key in m for m in self.maps)
    def __setitem__(self, key, value):
        self.maps[0][key] = value
    def __len__(self):
        return len(set().union(*self.maps))
    def __iter__(self):
        d = {}
        for mapping in reversed(self.maps):
            d.update(dict.fromkeys(mapping))
        return iter(d)
    def keys(self):
        return list(self)
    def items(self):
        return [(k, self[k]) for k in self]
    def values(self):
        return [self[k] for k in self]
    def __repr__(self):
        return f'{self.__class__.__name__}({", ".join(map(repr, self.maps))})'
    def new_child(self, m=None):
        return self.__class__(m if m is not None else {}, *self.maps)
    @property
    def parents(self):
        return self.__class__(*self.maps[1:])
""";

    public const string Operator = """
def itemgetter(*items):
    if len(items) == 1:
        item = items[0]
        def g(obj):
            return obj[item]
    else:
        def g(obj):
            return tuple(obj[i] for i in items)
    return g

def attrgetter(*attrs):
    def resolve(obj, attr):
        for name in attr.split('.'):
            obj = getattr(obj, name)
        return obj
    if len(attrs) == 1:
        attr = attrs[0]
        def g(obj):
            return resolve(obj, attr)
    else:
        def g(obj):
            return tuple(resolve(obj, a) for a in attrs)
    return g

def methodcaller(name, *args, **kwargs):
    def caller(obj):
        return getattr(obj, name)(*args, **kwargs)
    return caller

def lt(a, b): return a < b
def le(a, b): return a <= b
def eq(a, b): return a == b
def ne(a, b): return a != b
def ge(a, b): return a >= b
def gt(a, b): return a > b
def not_(a): return not a
def truth(a): return True if a else False
def is_(a, b): return a is b
def is_not(a, b): return a is not b
import builtins as _b
def abs(a): return _b.abs(a)
def add(a, b): return a + b
def and_(a, b): return a & b
def floordiv(a, b): return a // b
def index(a): return a.__index__()
def inv(a): return ~a
invert = inv
def lshift(a, b): return a << b
def mod(a, b): return a % b
def mul(a, b): return a * b
def matmul(a, b): return a @ b
def neg(a): return -a
def or_(a, b): return a | b
def pos(a): return +a
def pow(a, b): return a ** b
def rshift(a, b): return a >> b
def sub(a, b): return a - b
def truediv(a, b): return a / b
def xor(a, b): return a ^ b
def concat(a, b): return a + b
def contains(a, b): return b in a
def countOf(a, b): return sum(1 for x in a if x == b)
def getitem(a, b): return a[b]
def setitem(a, b, c): a[b] = c
def delitem(a, b): del a[b]
def indexOf(a, b):
    for i, j in enumerate(a):
        if j == b:
            return i
    raise ValueError('sequence.index(x): x not in sequence')
def length_hint(obj, default=0):
    try:
        return len(obj)
    except TypeError:
        return default
def iadd(a, b):
    a += b
    return a
def imul(a, b):
    a *= b
    return a
__lt__ = lt; __le__ = le; __eq__ = eq; __ne__ = ne; __ge__ = ge; __gt__ = gt
__add__ = add; __sub__ = sub; __mul__ = mul; __truediv__ = truediv; __floordiv__ = floordiv; __mod__ = mod
__getitem__ = getitem; __neg__ = neg
""";

    public const string Copy = """
class Error(Exception):
    pass

def copy(x):
    cls = type(x)
    if cls in (int, float, bool, complex, str, tuple, bytes, frozenset, type, range, type(None)) or callable(x) and not hasattr(x, '__dict__'):
        return x
    cp = getattr(cls, '__copy__', None)
    if cp is not None:
        return cp(x)
    if cls is list:
        return x[:]
    if cls is dict:
        return x.copy()
    if cls is set:
        return x.copy()
    if isinstance(x, list):
        y = cls(x)
        y.__dict__.update(x.__dict__)
        return y
    if isinstance(x, dict):
        y = cls.__new__(cls)
        dict.update(y, x)
        y.__dict__.update(x.__dict__)
        return y
    if isinstance(x, tuple):
        return x
    y = cls.__new__(cls)
    if hasattr(x, '__dict__'):
        y.__dict__.update(x.__dict__)
    return y

def deepcopy(x, memo=None):
    if memo is None:
        memo = {}
    d = id(x)
    if d in memo:
        return memo[d]
    cls = type(x)
    if cls in (int, float, bool, complex, str, bytes, type, range, type(None)) or isinstance(x, type):
        return x
    dc = getattr(x, '__deepcopy__', None)
    if dc is not None:
        y = dc(memo)
    elif cls is list:
        y = []
        memo[d] = y
        for a in x:
            y.append(deepcopy(a, memo))
    elif cls is tuple:
        y = tuple(deepcopy(a, memo) for a in x)
    elif cls is dict:
        y = {}
        memo[d] = y
        for k, v in x.items():
            y[deepcopy(k, memo)] = deepcopy(v, memo)
    elif cls is set:
        y = {deepcopy(a, memo) for a in x}
    elif cls is frozenset:
        y = frozenset(deepcopy(a, memo) for a in x)
    elif callable(x) and not hasattr(x, '__dict__'):
        y = x
    elif isinstance(x, tuple):
        y = cls(*[deepcopy(a, memo) for a in x]) if hasattr(cls, '_fields') else cls(deepcopy(a, memo) for a in x)
    else:
        if isinstance(x, list):
            y = cls()
            memo[d] = y
            for a in x:
                y.append(deepcopy(a, memo))
        elif isinstance(x, dict):
            y = cls.__new__(cls)
            memo[d] = y
            for k, v in x.items():
                dict.__setitem__(y, deepcopy(k, memo), deepcopy(v, memo))
        else:
            y = cls.__new__(cls)
            memo[d] = y
        if hasattr(x, '__dict__'):
            for k, v in x.__dict__.items():
                y.__dict__[k] = deepcopy(v, memo)
    memo[d] = y
    return y
""";

    public const string Types = """
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
""";

    public const string Typing = """
class _Special:
    def __init__(self, name):
        self._name = name
    def __getitem__(self, params):
        return self
    def __repr__(self):
        return 'typing.' + self._name
    def __call__(self, *args, **kwargs):
        raise TypeError(f"Cannot instantiate typing.{self._name}")
    def __or__(self, other):
        return self
    def __ror__(self, other):
        return self

Any = _Special('Any')
Union = _Special('Union')
Optional = _Special('Optional')
List = _Special('List')
Dict = _Special('Dict')
Set = _Special('Set')
FrozenSet = _Special('FrozenSet')
Tuple = _Special('Tuple')
Callable = _Special('Callable')
Type = _Special('Type')
Iterable = _Special('Iterable')
Iterator = _Special('Iterator')
Generator = _Special('Generator')
Sequence = _Special('Sequence')
Mapping = _Special('Mapping')
MutableMapping = _Special('MutableMapping')
ClassVar = _Special('ClassVar')
Final = _Special('Final')
Literal = _Special('Literal')
NoReturn = _Special('NoReturn')
Deque = _Special('Deque')
DefaultDict = _Special('DefaultDict')
Counter = _Special('Counter')
Hashable = _Special('Hashable')
Sized = _Special('Sized')
TYPE_CHECKING = False

class TypeVar:
    def __init__(self, name, *constraints, bound=None, covariant=False, contravariant=False):
        self.__name__ = name
    def __repr__(self):
        return '~' + self.__name__

class Generic:
    def __class_getitem__(cls, params):
        return cls

class Protocol:
    def __class_getitem__(cls, params):
        return cls

def cast(typ, val):
    return val

def overload(func):
    return func

def final(f):
    return f

def no_type_check(f):
    return f

def get_type_hints(obj):
    return getattr(obj, '__annotations__', {})

def NamedTuple(typename, fields=None, **kwargs):
    from collections import namedtuple
    if fields is None:
        fields = kwargs.items()
    return namedtuple(typename, [f[0] for f in fields])

def NewType(name, tp):
    def new_type(x):
        return x
    new_type.__name__ = name
    return new_type

TypedDict = dict
""";

    public const string Abc = """
def abstractmethod(funcobj):
    funcobj.__isabstractmethod__ = True
    return funcobj

class ABCMeta(type):
    def __new__(mcls, name, bases, namespace, **kwargs):
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        abstracts = {name for name, value in namespace.items() if getattr(value, "__isabstractmethod__", False)}
        for base in bases:
            for name in getattr(base, "__abstractmethods__", set()):
                value = getattr(cls, name, None)
                if getattr(value, "__isabstractmethod__", False):
                    abstracts.add(name)
        cls.__abstractmethods__ = frozenset(abstracts)
        cls._abc_registry = []
        return cls
    def __call__(cls, *args, **kwargs):
        if cls.__abstractmethods__:
            names = sorted(cls.__abstractmethods__)
            s = 's' if len(names) > 1 else ''
            raise TypeError(f"Can't instantiate abstract class {cls.__name__} with abstract method{s} " + ", ".join(names))
        return super().__call__(*args, **kwargs)
    def register(cls, subclass):
        cls._abc_registry.append(subclass)
        return subclass
    def __instancecheck__(cls, instance):
        if type(instance).__mro__.__contains__(cls):
            return True
        for r in cls._abc_registry:
            if isinstance(instance, r):
                return True
        return False

class ABC(metaclass=ABCMeta):
    pass

def abstractproperty(f):
    return property(abstractmethod(f))
""";

    public const string Contextlib = """
import functools as _functools

class _GeneratorContextManager:
    def __init__(self, func, args, kwds):
        self.gen = func(*args, **kwds)
    def __enter__(self):
        try:
            return next(self.gen)
        except StopIteration:
            raise RuntimeError("generator didn't yield") from None
    def __exit__(self, typ, value, traceback):
        if typ is None:
            try:
                next(self.gen)
            except StopIteration:
                return False
            else:
                raise RuntimeError("generator didn't stop")
        else:
            if value is None:
                value = typ()
            try:
                self.gen.throw(value)
            except StopIteration as exc:
                return exc is not value
            except RuntimeError as exc:
                if exc is value:
                    return False
                raise
            except BaseException as exc:
                if exc is not value:
                    raise
                return False
            raise RuntimeError("generator didn't stop after throw()")
    def __call__(self, func):
        raise TypeError("not supported")

def contextmanager(func):
    @_functools.wraps(func)
    def helper(*args, **kwds):
        return _GeneratorContextManager(func, args, kwds)
    return helper

class suppress:
    def __init__(self, *exceptions):
        self._exceptions = exceptions
    def __enter__(self):
        pass
    def __exit__(self, exctype, excinst, exctb):
        return exctype is not None and issubclass(exctype, self._exceptions)

class closing:
    def __init__(self, thing):
        self.thing = thing
    def __enter__(self):
        return self.thing
    def __exit__(self, *exc_info):
        self.thing.close()

class nullcontext:
    def __init__(self, enter_result=None):
        self.enter_result = enter_result
    def __enter__(self):
        return self.enter_result
    def __exit__(self, *excinfo):
        pass

class redirect_stdout:
    def __init__(self, new_target):
        self._new_target = new_target
    def __enter__(self):
        import sys
        self._old = sys.stdout
        sys.stdout = self._new_target
        return self._new_target
    def __exit__(self, exctype, excinst, exctb):
        import sys
        sys.stdout = self._old

class ExitStack:
    def __init__(self):
        self._exit_callbacks = []
    def __enter__(self):
        return self
    def enter_context(self, cm):
        result = cm.__enter__()
        self._exit_callbacks.append(cm.__exit__)
        return result
    def callback(self, callback, *args, **kwds):
        self._exit_callbacks.append(lambda *exc: callback(*args, **kwds))
        return callback
    def __exit__(self, *exc_details):
        suppressed = False
        while self._exit_callbacks:
            cb = self._exit_callbacks.pop()
            if cb(*exc_details):
                suppressed = True
                exc_details = (None, None, None)
        return suppressed
""";

    public const string Io = """
class StringIO:
    def __init__(self, initial_value='', newline='\n'):
        self._buf = initial_value
        self._pos = 0
        self.closed = False
    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"string argument expected, got '{type(s).__name__}'")
        if self._pos == len(self._buf):
            self._buf += s
        else:
            self._buf = self._buf[:self._pos] + s + self._buf[self._pos + len(s):]
        self._pos += len(s)
        return len(s)
    def writelines(self, lines):
        for l in lines:
            self.write(l)
    def getvalue(self):
        return self._buf
    def read(self, n=-1):
        if n is None or n < 0:
            r = self._buf[self._pos:]
        else:
            r = self._buf[self._pos:self._pos + n]
        self._pos += len(r)
        return r
    def readline(self):
        i = self._buf.find('\n', self._pos)
        end = len(self._buf) if i < 0 else i + 1
        r = self._buf[self._pos:end]
        self._pos = end
        return r
    def readlines(self):
        out = []
        while True:
            l = self.readline()
            if not l:
                return out
            out.append(l)
    def __iter__(self):
        return self
    def __next__(self):
        l = self.readline()
        if not l:
            raise StopIteration
        return l
    def seek(self, pos, whence=0):
        self._pos = pos if whence == 0 else (self._pos + pos if whence == 1 else len(self._buf) + pos)
        return self._pos
    def tell(self):
        return self._pos
    def truncate(self, size=None):
        if size is None:
            size = self._pos
        self._buf = self._buf[:size]
        return size
    def flush(self):
        pass
    def close(self):
        self.closed = True
    def __enter__(self):
        return self
    def __exit__(self, *a):
        self.close()

class BytesIO:
    def __init__(self, initial=b''):
        self._buf = bytearray(initial)
        self._pos = 0
    def write(self, b):
        self._buf[self._pos:self._pos] = b
        self._pos += len(b)
        return len(b)
    def getvalue(self):
        return bytes(self._buf)
    def read(self, n=-1):
        r = bytes(self._buf[self._pos:] if n < 0 else self._buf[self._pos:self._pos + n])
        self._pos += len(r)
        return r
    def __enter__(self):
        return self
    def __exit__(self, *a):
        pass

TextIOWrapper = StringIO
""";

    public const string Dataclasses = """
MISSING = object()

class FrozenInstanceError(AttributeError):
    pass

class Field:
    def __init__(self, default=MISSING, default_factory=MISSING, init=True, repr=True, compare=True, hash=None, kw_only=False):
        self.name = None
        self.type = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.kw_only = kw_only
    def __repr__(self):
        return f'Field(name={self.name!r},default={self.default!r})'

def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, compare=True, hash=None, kw_only=False):
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError('cannot specify both default and default_factory')
    return Field(default, default_factory, init, repr, compare, hash, kw_only)

def fields(obj):
    return tuple(getattr(obj, '__dataclass_fields__').values())

def asdict(obj):
    if hasattr(type(obj), '__dataclass_fields__'):
        return {f.name: asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {asdict(k): asdict(v) for k, v in obj.items()}
    return obj

def astuple(obj):
    if hasattr(type(obj), '__dataclass_fields__'):
        return tuple(astuple(getattr(obj, f.name)) for f in fields(obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(astuple(v) for v in obj)
    return obj

def is_dataclass(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, '__dataclass_fields__')

def replace(obj, **changes):
    for f in fields(obj):
        if f.init and f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)

def _process(cls, init, repr_, eq, order, frozen, unsafe_hash, kw_only_all):
    flds = {}
    for b in cls.__mro__[-1:0:-1]:
        base_fields = getattr(b, '__dataclass_fields__', None)
        if base_fields:
            for f in base_fields.values():
                flds[f.name] = f
    annotations = cls.__dict__.get('__annotations__', {})
    for name, tp in annotations.items():
        if tp is not None and (tp == 'ClassVar' or str(tp).startswith('typing.ClassVar')):
            continue
        default = cls.__dict__.get(name, MISSING)
        if isinstance(default, Field):
            f = default
        else:
            f = Field(default=default)
        f.name = name
        f.type = tp
        if kw_only_all:
            f.kw_only = True
        if f.default is not MISSING and isinstance(f.default, (list, dict, set)):
            raise ValueError(f'mutable default {type(f.default)} for field {name} is not allowed: use default_factory')
        flds[name] = f
        if isinstance(default, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    cls.__dataclass_fields__ = flds
    fl = list(flds.values())
    if init:
        pos = [f for f in fl if f.init and not f.kw_only]
        kwo = [f for f in fl if f.init and f.kw_only]
        seen_default = False
        for f in pos:
            if f.default is not MISSING or f.default_factory is not MISSING:
                seen_default = True
            elif seen_default:
                raise TypeError(f'non-default argument {f.name!r} follows default argument')
        def __init__(self, *args, **kwargs):
            if len(args) > len(pos):
                raise TypeError(f'__init__() takes {len(pos) + 1} positional arguments but {len(args) + 1} were given')
            for i, f in enumerate(pos + kwo):
                if i < len(args) and f in pos:
                    v = args[i]
                    if f.name in kwargs:
                        raise TypeError(f"__init__() got multiple values for argument '{f.name}'")
                elif f.name in kwargs:
                    v = kwargs.pop(f.name)
                elif f.default is not MISSING:
                    v = f.default
                elif f.default_factory is not MISSING:
                    v = f.default_factory()
                else:
                    raise TypeError(f"__init__() missing 1 required positional argument: '{f.name}'")
                object.__setattr__(self, f.name, v)
            for f in fl:
                if not f.init:
                    if f.default_factory is not MISSING:
                        object.__setattr__(self, f.name, f.default_factory())
                    elif f.default is not MISSING:
                        object.__setattr__(self, f.name, f.default)
            if kwargs:
                raise TypeError(f"__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
            post = getattr(self, '__post_init__', None)
            if post is not None:
                post()
        __init__.__qualname__ = cls.__qualname__ + '.__init__'
        cls.__init__ = __init__
    if repr_ and '__repr__' not in cls.__dict__:
        def __repr__(self):
            return self.__class__.__qualname__ + '(' + ', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in fl if f.repr) + ')'
        cls.__repr__ = __repr__
    if eq and '__eq__' not in cls.__dict__:
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return tuple(getattr(self, f.name) for f in fl if f.compare) == tuple(getattr(other, f.name) for f in fl if f.compare)
            return NotImplemented
        cls.__eq__ = __eq__
        if not unsafe_hash and not frozen:
            cls.__hash__ = None
    if order:
        def key(o):
            return tuple(getattr(o, f.name) for f in fl if f.compare)
        def mk(op):
            def cmp(self, other):
                if other.__class__ is self.__class__:
                    return op(key(self), key(other))
                return NotImplemented
            return cmp
        cls.__lt__ = mk(lambda a, b: a < b)
        cls.__le__ = mk(lambda a, b: a <= b)
        cls.__gt__ = mk(lambda a, b: a > b)
        cls.__ge__ = mk(lambda a, b: a >= b)
    if frozen:
        def __setattr__(self, name, value):
            raise FrozenInstanceError(f"cannot assign to field '{name}'")
        def __delattr__(self, name):
            raise FrozenInstanceError(f"cannot delete field '{name}'")
        cls.__setattr__ = __setattr__
        cls.__delattr__ = __delattr__
    if frozen or unsafe_hash:
        def __hash__(self):
            return hash(tuple(getattr(self, f.name) for f in fl if f.compare))
        cls.__hash__ = __hash__
    cls.__match_args__ = tuple(f.name for f in fl if f.init and not f.kw_only)
    return cls

def dataclass(cls=None, /, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=False, kw_only=False, slots=False, match_args=True):
    def wrap(cls):
        return _process(cls, init, repr, eq, order, frozen, unsafe_hash, kw_only)
    if cls is None:
        return wrap
    return wrap(cls)
""";

    public const string Enum = """
class auto:
    _counter = 0
    def __init__(self):
        auto._counter += 1
        self._order = auto._counter
        self.value = None

def _data_type(cls):
    return next((b for b in cls.__mro__ if b is int or b is str or b is float), None)

class EnumMeta(type):
    def __new__(mcls, name, bases, ns, **kw):
        members = []
        for k, v in list(ns.items()):
            if k.startswith('_') or callable(v) and not isinstance(v, auto) or isinstance(v, (staticmethod, classmethod, property)):
                continue
            members.append((k, v))
        for k, v in members:
            del ns[k]
        cls = super().__new__(mcls, name, bases, ns, **kw)
        cls._member_map_ = {}
        cls._value2member_map_ = {}
        cls._member_names_ = []
        last = 0
        is_flag = any(issubclass(b, Flag) for b in bases if isinstance(b, EnumMeta)) if 'Flag' in globals() else False
        for k, v in members:
            if isinstance(v, auto):
                v = cls._generate_next_value_(k, 1, len(cls._member_names_), [m._value_ for m in cls._member_map_.values()])
            if v in cls._value2member_map_:
                cls._member_map_[k] = cls._value2member_map_[v]
                setattr(cls, k, cls._value2member_map_[v])
                continue
            data = _data_type(cls)
            member = data.__new__(cls, v) if data is not None else object.__new__(cls)
            member._name_ = k
            member._value_ = v
            init = cls.__dict__.get('__init__')
            if init is not None:
                if isinstance(v, tuple):
                    init(member, *v)
                else:
                    init(member, v)
            cls._member_map_[k] = member
            cls._value2member_map_[v] = member
            cls._member_names_.append(k)
            setattr(cls, k, member)
        if _data_type(cls) is not None:
            # the mixed-in type's repr/str come first in the MRO; members show as enum members
            for dunder in ('__repr__', '__str__'):
                owner = next(b for b in cls.__mro__ if dunder in b.__dict__)
                if owner is _data_type(cls):
                    setattr(cls, dunder, getattr(Enum, dunder))
        return cls
    def __call__(cls, value, *args, **kw):
        if args or kw or not cls._member_map_ and cls.__dict__.get('_member_names_') is None:
            return super().__call__(value, *args, **kw)
        if isinstance(value, cls):
            return value
        try:
            return cls._value2member_map_[value]
        except (KeyError, TypeError):
            pass
        missing = cls._missing_(value)
        if missing is not None:
            return missing
        raise ValueError(f"{value!r} is not a valid {cls.__qualname__}")
    def __iter__(cls):
        return (cls._member_map_[n] for n in cls._member_names_)
    def __reversed__(cls):
        return (cls._member_map_[n] for n in reversed(cls._member_names_))
    def __len__(cls):
        return len(cls._member_names_)
    def __contains__(cls, member):
        return isinstance(member, cls) and member._name_ in cls._member_map_
    def __getitem__(cls, name):
        return cls._member_map_[name]
    @property
    def __members__(cls):
        return dict(cls._member_map_)
    def __repr__(cls):
        return f"<enum {cls.__name__!r}>"

class Enum(metaclass=EnumMeta):
    def _generate_next_value_(name, start, count, last_values):
        for v in reversed(last_values):
            try:
                return v + 1
            except TypeError:
                pass
        return start
    _generate_next_value_ = staticmethod(_generate_next_value_)
    @classmethod
    def _missing_(cls, value):
        return None
    def __repr__(self):
        return f"<{self.__class__.__name__}.{self._name_}: {self._value_!r}>"
    def __str__(self):
        return f"{self.__class__.__name__}.{self._name_}"
    def __format__(self, spec):
        return format(str(self), spec)
    def __hash__(self):
        return hash(self._name_)
    def __reduce_ex__(self, proto):
        return self.__class__, (self._value_,)
    @property
    def name(self):
        return self._name_
    @property
    def value(self):
        return self._value_

class IntEnum(int, Enum):
    def __str__(self):
        return str(self._value_)
    def __format__(self, spec):
        return format(self._value_, spec)

class StrEnum(str, Enum):
    def __str__(self):
        return self._value_

class Flag(Enum):
    def _generate_next_value_(name, start, count, last_values):
        if not count:
            return 1
        return 2 ** (max(last_values).bit_length())
    _generate_next_value_ = staticmethod(_generate_next_value_)
    def __or__(self, other):
        return self.__class__._create(self._value_ | _flag_value(other))
    def __and__(self, other):
        return self.__class__._create(self._value_ & _flag_value(other))
    def __contains__(self, other):
        return other._value_ & self._value_ == other._value_
    def __bool__(self):
        return bool(self._value_)
    @classmethod
    def _create(cls, value):
        if value in cls._value2member_map_:
            return cls._value2member_map_[value]
        m = int.__new__(cls, value) if int in cls.__mro__ else object.__new__(cls)
        m._value_ = value
        names = [n for n in cls._member_names_ if cls._member_map_[n]._value_ & value and cls._member_map_[n]._value_ & value == cls._member_map_[n]._value_]
        m._name_ = '|'.join(names) if names else None
        return m

class IntFlag(int, Flag):
    def __str__(self):
        return str(self._value_)
    __ror__ = Flag.__or__
    __rand__ = Flag.__and__

def _flag_value(other):
    return other._value_ if isinstance(other, Flag) else other

def unique(enumeration):
    return enumeration
""";

    public const string Textwrap = """
def dedent(text):
    lines = text.split('\n')
    margin = None
    for l in lines:
        s = l.lstrip()
        if not s:
            continue
        indent = l[:len(l) - len(s)]
        if margin is None:
            margin = indent
        else:
            i = 0
            while i < len(margin) and i < len(indent) and margin[i] == indent[i]:
                i += 1
            margin = margin[:i]
    if not margin:
        return '\n'.join(l if l.strip() else '' for l in lines)
    return '\n'.join(l[len(margin):] if l.strip() else '' for l in lines)

def indent(text, prefix, predicate=None):
    if predicate is None:
        predicate = lambda line: line.strip()
    return ''.join(prefix + line if predicate(line) else line for line in text.splitlines(True))

def wrap(text, width=70, **kw):
    words = text.split()
    lines = []
    cur = ''
    for w in words:
        if not cur:
            cur = w
        elif len(cur) + 1 + len(w) <= width:
            cur += ' ' + w
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines

def fill(text, width=70, **kw):
    return '\n'.join(wrap(text, width))

def shorten(text, width, placeholder=' [...]'):
    text = ' '.join(text.split())
    if len(text) <= width:
        return text
    words = text.split()
    out = ''
    for w in words:
        cand = (out + ' ' + w) if out else w
        if len(cand) + len(placeholder) > width:
            break
        out = cand
    return out + placeholder
""";

    public const string Warnings = """
import sys as _sys
_filters = []
def warn(message, category=None, stacklevel=1, source=None):
    if category is None:
        category = UserWarning
    if _filters and _filters[-1] == 'ignore':
        return
    if isinstance(message, Warning):
        category = type(message)
    print(f"{category.__name__}: {message}", file=_sys.stderr)
def simplefilter(action, category=None, lineno=0, append=False):
    _filters.append(action)
def filterwarnings(action, message='', category=None, module='', lineno=0, append=False):
    _filters.append(action)
class catch_warnings:
    def __init__(self, *a, **k):
        pass
    def __enter__(self):
        self._saved = list(_filters)
        return []
    def __exit__(self, *a):
        _filters[:] = self._saved
""";

    public const string Keyword = """
kwlist = ['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']
softkwlist = ['_', 'case', 'match']
def iskeyword(s):
    return s in kwlist
def issoftkeyword(s):
    return s in softkwlist
""";

    public const string Statistics = """
import math as _math
class StatisticsError(ValueError):
    pass
def mean(data):
    data = list(data)
    if not data:
        raise StatisticsError('mean requires at least one data point')
    return sum(data) / len(data)
def fmean(data):
    data = list(data)
    return _math.fsum(data) / len(data)
def median(data):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError("no median for empty data")
    if n % 2 == 1:
        return data[n // 2]
    i = n // 2
    return (data[i - 1] + data[i]) / 2
def median_low(data):
    data = sorted(data)
    n = len(data)
    return data[n // 2] if n % 2 else data[n // 2 - 1]
def median_high(data):
    data = sorted(data)
    return data[len(data) // 2]
def mode(data):
    from collections import Counter
    c = Counter(data)
    if not c:
        raise StatisticsError('no mode for empty data')
    return c.most_common(1)[0][0]
def multimode(data):
    from collections import Counter
    c = Counter(data)
    if not c:
        return []
    m = max(c.values())
    return [k for k, v in c.items() if v == m]
def pvariance(data, mu=None):
    data = list(data)
    if mu is None:
        mu = mean(data)
    return sum((x - mu) ** 2 for x in data) / len(data)
def variance(data, xbar=None):
    data = list(data)
    if len(data) < 2:
        raise StatisticsError('variance requires at least two data points')
    if xbar is None:
        xbar = mean(data)
    return sum((x - xbar) ** 2 for x in data) / (len(data) - 1)
def pstdev(data, mu=None):
    return _math.sqrt(pvariance(data, mu))
def stdev(data, xbar=None):
    return _math.sqrt(variance(data, xbar))
""";
}
