# A generator suspended inside an except block keeps its own exception state (CPython's gi_exc_state): resumed from
# anywhere, sys.exc_info() and a bare raise see that exception; leaving the handler goes back to the caller's state.
import sys


def yield_raise():
    try:
        raise KeyError("caught")
    except KeyError:
        yield sys.exc_info()[0]
        yield sys.exc_info()[0]
    yield sys.exc_info()[0]


g = yield_raise()
print(next(g))
print(sys.exc_info()[0])
print(next(g))
print(sys.exc_info()[0])
print(next(g))


def g2():
    try:
        raise ValueError
    except ValueError:
        yield 1
    print("after handler:", sys.exc_info())
    yield 2


gen = g2()
try:
    raise IndexError
except IndexError:
    print(next(gen))
print(next(gen))


def reraiser():
    try:
        raise TypeError("inner")
    except TypeError:
        yield "suspended"
        raise


it = reraiser()
print(next(it))
try:
    next(it)
except TypeError as e:
    print("re-raised:", e)


class SubError(Exception):
    pass


def nested():
    try:
        raise ValueError("outer")
    except ValueError:
        try:
            yield "inner"
        except SubError:
            print("context:", repr(sys.exc_info()[1]))
            yield "handled"
        raise


c = nested()
print(next(c))
print(c.throw(SubError()))
try:
    next(c)
except ValueError as e:
    print("bare raise:", e)
