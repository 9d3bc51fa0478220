# exc.__traceback__, traceback objects, with_traceback, sys.exc_info, notes
import sys

def inner():
    raise KeyError("k")

def middle():
    inner()

try:
    middle()
except KeyError as e:
    tb = e.__traceback__
    names = []
    while tb is not None:
        names.append((tb.tb_frame.f_code.co_name, tb.tb_lineno, tb.tb_lasti % 2))
        tb = tb.tb_next
    print(names)
    print(e.__traceback__ is e.__traceback__)
    print(sys.exc_info()[2] is e.__traceback__)
    print(type(e.__traceback__).__name__)

e = ValueError("no tb")
print(e.__traceback__)

# re-raise adds the frame again; bare raise does not
def reraiser():
    try:
        inner()
    except KeyError as exc:
        raise exc

try:
    reraiser()
except KeyError as e:
    tb = e.__traceback__
    out = []
    while tb:
        out.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    print(out)

# with_traceback
try:
    inner()
except KeyError as e:
    saved = e.__traceback__
err = RuntimeError("again").with_traceback(saved)
print(err.__traceback__ is saved)
try:
    raise err
except RuntimeError as e:
    tb = e.__traceback__
    print(tb.tb_frame.f_code.co_name, tb.tb_next is saved)
err.__traceback__ = None
print(err.__traceback__)
try:
    err.__traceback__ = 5
except TypeError as e:
    print("TypeError:", e)

# add_note / __notes__
e = ValueError("with notes")
print(hasattr(e, "__notes__"))
e.add_note("first")
e.add_note("second")
print(e.__notes__)
try:
    e.add_note(3)
except TypeError as t:
    print("TypeError:", t)

# traceback objects can be made and relinked
TracebackType = type(saved)   # as Lib's types.py finds it
f = sys._getframe()
t1 = TracebackType(None, f, 0, 7)
t2 = TracebackType(t1, f, 2, 8)
print(t2.tb_next is t1, t1.tb_lineno, t2.tb_lasti)
try:
    t1.tb_next = t2
except ValueError as v:
    print("ValueError:", v)
try:
    t1.tb_next = 3
except TypeError as v:
    print("TypeError:", v)
