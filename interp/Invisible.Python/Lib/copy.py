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
