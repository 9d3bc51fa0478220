# AttributeError.name/.obj and NameError.name: set when the interpreter raises them, None otherwise; not part of
# the exception's __dict__.
class A:
    blech = None


obj = A()
try:
    obj.bluch
except AttributeError as exc:
    print(exc.name, exc.obj is obj, exc.__dict__)
try:
    getattr(obj, "other")
except AttributeError as exc:
    print(exc.name, exc.obj is obj)
try:
    (1).nope
except AttributeError as exc:
    print(exc.name, exc.obj)
import sys
try:
    sys.nope
except AttributeError as exc:
    print(exc.name, exc.obj is sys)
try:
    int.nope
except AttributeError as exc:
    print(exc.name, exc.obj is int)
try:
    undefined_name
except NameError as exc:
    print(type(exc).__name__, exc.name, exc.__dict__)


def f():
    return undefined_global


try:
    f()
except NameError as exc:
    print(exc.name)
e = AttributeError("plain")
print(e.name, e.obj)
print(NameError("x").name)
