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
            custom_new = ns.get('__new__')
            if custom_new is None and v in cls._value2member_map_:
                cls._member_map_[k] = cls._value2member_map_[v]
                setattr(cls, k, cls._value2member_map_[v])
                continue
            data = _data_type(cls)
            if custom_new is not None:
                # the class's own __new__ makes the member from the value it was given (inspect's _ParameterKind)
                member = custom_new(cls, *(v if isinstance(v, tuple) else (v,)))
                v = member.__dict__.get('_value_', v)
            else:
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
    @classmethod
    def _convert_(cls, name, module, filter, source=None, *, boundary=None, as_global=False):
        """Lib's signal, socket and ssl make their enums from module constants with it: the new enum replaces the
        constants in the module's namespace."""
        import sys
        module_globals = sys.modules[module].__dict__
        source = module_globals if source is None else source.__dict__
        members = sorted(((n, v) for n, v in source.items() if filter(n)), key=lambda t: (t[1], t[0]))
        ns = {'__module__': module}
        ns.update(members)
        enum_class = EnumMeta(name, (cls,), ns)
        module_globals.update(enum_class.__members__)
        module_globals[name] = enum_class
        return enum_class
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

def _simple_enum(etype=Enum, *, boundary=None, use_args=None):
    """Lib's ast makes its _Precedence with it: the decorated plain class becomes an enum of etype."""
    def convert(cls):
        ns = {k: v for k, v in cls.__dict__.items() if k not in ('__dict__', '__weakref__')}
        return EnumMeta(cls.__name__, (etype,), ns)
    return convert
