from contextlib import contextmanager, ExitStack, nullcontext
import io, sys
@contextmanager
def capture():
    old = sys.stdout
    buf = io.StringIO()
    sys.stdout = buf
    try:
        yield buf
    finally:
        sys.stdout = old
with capture() as out:
    print("captured text")
print("got:", repr(out.getvalue()))
with ExitStack() as stack:
    stack.callback(print, "callback ran")
    print("in stack")
with nullcontext(5) as v:
    print(v)
@contextmanager
def err():
    try:
        yield
    except ValueError:
        print("handled in cm")
with err():
    raise ValueError()
print("done")
