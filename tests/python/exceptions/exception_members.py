# Built-in exceptions' keyword arguments, pickling and copying (args and __dict__ survive), and the members that
# refuse bad values; the "Did you mean" hint of the exception printer for AttributeError and NameError.
import copy
import io
import pickle
import sys

for kwargs in ({}, {'name': 'somename'}, {'path': 'somepath'}, {'name': 'n', 'path': 'p'}):
    orig = ImportError('test', **kwargs)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        e = pickle.loads(pickle.dumps(orig, proto))
        assert (e.args, e.msg, e.name, e.path) == (('test',), 'test', orig.name, orig.path), proto
    for c in copy.copy, copy.deepcopy:
        e = c(orig)
        assert (e.args, e.msg, e.name, e.path) == (('test',), 'test', orig.name, orig.path)
    print(kwargs, orig.name, orig.path, orig.msg)

e = ImportError('test', name='name', path='path')
e.__init__()
print(e.args, e.msg, e.name, e.path)

for bad in ({'invalid': 'keyword'}, {'name': 'n', 'invalid': 'keyword'}):
    try:
        ImportError('test', **bad)
    except TypeError as err:
        print(err)

for exc in (BaseException(1), ValueError('a', 2), KeyError('k')):
    back = pickle.loads(pickle.dumps(exc))
    print(type(back).__name__, back.args)
e = ValueError(3)
e.note = 'kept'
back = pickle.loads(pickle.dumps(e))
print(back.args, back.note)

try:
    BaseException(a=1)
except TypeError as err:
    print(err)


class Derived(BaseException):
    def __init__(self, fancy_arg):
        BaseException.__init__(self)
        self.fancy_arg = fancy_arg


print(Derived(fancy_arg=42).fancy_arg)
print(AttributeError('x', name='attr', obj=5).name)

for attr, value in (('__cause__', 1), ('__context__', 'x')):
    try:
        setattr(Exception(), attr, value)
    except TypeError as err:
        print(err)
for attr in ('__cause__', '__context__', 'args', '__traceback__'):
    try:
        delattr(Exception(), attr)
    except TypeError as err:
        print(err)


def hook_output():
    saved = sys.stderr
    sys.stderr = io.StringIO()
    try:
        sys.__excepthook__(*sys.exc_info())
        return sys.stderr.getvalue().splitlines()[-1]
    finally:
        sys.stderr = saved


class Substitution:
    blech = None


class Lookup:
    blech = None

    def __getattr__(self, attr):
        raise AttributeError("Error", 23)


for cls in (Substitution, Lookup):
    try:
        cls().bluch
    except AttributeError:
        print(hook_output())


def use_local():
    blech = 1
    return bluch


try:
    use_local()
except NameError:
    print(hook_output())
try:
    prnt("x")
except NameError:
    print(hook_output())
