# sys._getframe and frame objects: f_code, f_back, f_lineno, f_locals, f_globals, identity
import sys

def where():
    f = sys._getframe(1)
    return f.f_code.co_name, f.f_lineno

def caller():
    x = 41
    y = "local"
    me = sys._getframe()
    print(me.f_code.co_name, me.f_back.f_code.co_name)
    print(sorted(me.f_locals))
    print(me.f_locals["x"] + 1, me.f_locals["y"])
    print(me.f_globals is globals(), me.f_builtins is not None)
    print(me is sys._getframe(), me.f_code is caller.__code__)
    print(where())
    return me

fr = caller()
print(type(fr).__name__, fr.f_code.co_name)
print(sys._getframe().f_code.co_name)
print(sys._getframe().f_back)
try:
    sys._getframe(1000)
except ValueError as e:
    print("ValueError:", e)

def closure_outer():
    a = 1
    def inner():
        return a + sys._getframe().f_locals["a"]
    return inner()
print(closure_outer())

def gen():
    yield sys._getframe().f_code.co_name
print(next(gen()))

# f_lasti is an even offset; f_trace defaults to None
f = sys._getframe()
print(f.f_lasti % 2, f.f_trace)
try:
    f.f_back = None
except AttributeError as e:
    print("AttributeError:", e)

def running():
    try:
        sys._getframe().clear()
    except RuntimeError as e:
        print("RuntimeError:", e)
running()
