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
