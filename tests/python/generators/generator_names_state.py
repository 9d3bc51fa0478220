# generator __name__/__qualname__ are writable str attributes; gi_suspended; generators cannot be created or copied
import copy
import inspect
import types
def f():
    yield 1
g = f()
print(g.__name__, g.__qualname__, g.gi_suspended, inspect.getgeneratorstate(g))
for s in ['g.__name__ = 1', 'g.__qualname__ = 1', 'del g.__name__', 'del g.__qualname__', 'g.x = 1', 'copy.copy(g)', 'types.GeneratorType()']:
    try:
        exec(s)
    except Exception as e:
        print(type(e).__name__, e)
g.__name__ = 'n'
g.__qualname__ = 'q'
print(repr(g).split(' at ')[0], g.__name__)
next(g)
print(g.gi_suspended, inspect.getgeneratorstate(g))
next(g, None)
print(g.gi_suspended, inspect.getgeneratorstate(g))
