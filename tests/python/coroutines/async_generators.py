# Async generators (PEP 525), async for/with, async comprehensions, aiter/anext, sys asyncgen hooks.
import sys
import types


def run(coro):
    """Drive a coroutine whose awaits never really suspend; return its result."""
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


class Suspend:
    """An awaitable that suspends once (yields a marker out to the driver) and returns a value."""
    def __init__(self, v):
        self.v = v

    def __await__(self):
        yield "tick"
        return self.v


def run_ticks(coro):
    """Drive a coroutine, counting the suspensions that reach the driver."""
    ticks = 0
    try:
        while True:
            assert coro.send(None) == "tick"
            ticks += 1
    except StopIteration as e:
        return e.value, ticks


async def agen(n):
    for i in range(n):
        v = await Suspend(i * 10)
        yield v


g = agen(3)
print(type(g).__name__, type(g) is types.AsyncGeneratorType, repr(g).startswith("<async_generator object agen at 0x"))
print(g.ag_running, g.ag_await, g.ag_code is agen.__code__, g.__name__)
print(bool(agen.__code__.co_flags & 0x200))
print(g.__aiter__() is g)


async def collect():
    out = []
    async for v in agen(3):
        out.append(v)
    else:
        out.append("else")
    return out


print(run_ticks(collect()))


async def with_break():
    out = []
    async for v in agen(5):
        if v == 20:
            break
        if v == 0:
            continue
        out.append(v)
    return out


print(run_ticks(with_break()))

# asend / __anext__ awaitables
g = agen(2)
a = g.__anext__()
print(type(a).__name__)
print(a.send(None))
try:
    a.send(None)
except StopIteration as e:
    print("first value", e.value)
try:
    a.send(None)
except RuntimeError as e:
    print("RuntimeError:", e)


async def echo():
    got = None
    while True:
        got = yield got
        if got == "stop":
            return


async def talk():
    e = echo()
    out = [await e.asend(None)]
    out.append(await e.asend("a"))
    out.append(await e.asend("b"))
    try:
        await e.asend("stop")
    except StopAsyncIteration:
        out.append("stopped")
    try:
        await e.__anext__()
    except StopAsyncIteration:
        out.append("still stopped")
    return out


print(run(talk()))


# athrow / aclose
async def guarded():
    try:
        yield 1
        yield 2
    except ValueError as e:
        yield "handled " + str(e)
    finally:
        print("guarded finally")


async def throw_in():
    g = guarded()
    out = [await g.__anext__()]
    out.append(await g.athrow(ValueError("x")))
    await g.aclose()
    out.append(g.ag_frame)
    try:
        await g.__anext__()
    except StopAsyncIteration:
        out.append("done")
    return out


print(run(throw_in()))


async def ignores_exit():
    try:
        yield 1
    except GeneratorExit:
        yield 2


async def bad_close():
    g = ignores_exit()
    await g.__anext__()
    try:
        await g.aclose()
    except RuntimeError as e:
        return "RuntimeError: " + str(e)


print(run(bad_close()))


async def close_unstarted():
    g = agen(1)
    await g.aclose()
    try:
        await g.__anext__()
    except StopAsyncIteration:
        return "unstarted closed"


print(run(close_unstarted()))


# StopAsyncIteration / StopIteration raised inside
async def raises(exc):
    yield 1
    raise exc


async def drain(g):
    out = []
    async for v in g:
        out.append(v)
    return out


for exc in [StopAsyncIteration, StopIteration, KeyError("k")]:
    try:
        run(drain(raises(exc)))
    except Exception as e:
        print(type(e).__name__, e)


# async with
class ACM:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress

    async def __aenter__(self):
        print("enter", self.name, await Suspend(1))
        return self.name.upper()

    async def __aexit__(self, et, ev, tb):
        print("exit", self.name, et.__name__ if et else None, await Suspend(2))
        return self.suppress


async def use_acm():
    async with ACM("a") as x, ACM("b") as y:
        print("body", x, y)
    async with ACM("s", suppress=True):
        raise ValueError("suppressed")
    try:
        async with ACM("n"):
            raise ValueError("propagated")
    except ValueError as e:
        print("caught", e)
    for i in range(3):
        async with ACM("loop%d" % i):
            if i == 1:
                break
    return "returned"


async def returns_inside():
    async with ACM("r"):
        return "from inside"


print(run_ticks(use_acm()))
print(run_ticks(returns_inside()))


async def not_acm():
    async with 1:
        pass


class BadEnter:
    def __aenter__(self):
        return 1

    def __aexit__(self, *a):
        return 1


async def bad_enter():
    async with BadEnter():
        pass


async def not_aiter():
    async for x in [1, 2]:
        pass


for c in [not_acm(), bad_enter(), not_aiter()]:
    try:
        run(c)
    except TypeError as e:
        print("TypeError:", e)


# async comprehensions
async def comps():
    a = [v async for v in agen(3)]
    b = {v async for v in agen(3) if v}
    c = {v: v + 1 async for v in agen(2)}
    d = [await Suspend(x) for x in range(3)]
    e = [v + w async for v in agen(2) for w in (1, 2)]
    g = (v * 2 async for v in agen(3))
    f = [x async for x in g]
    return a, sorted(b), c, d, e, f, type(g).__name__


print(run_ticks(comps()))


# aiter / anext builtins
async def builtins_():
    it = aiter(agen(2))
    out = [await anext(it), await anext(it)]
    out.append(await anext(it, "default"))
    try:
        await anext(it)
    except StopAsyncIteration:
        out.append("StopAsyncIteration")
    return out


print(run_ticks(builtins_()))
for bad in [lambda: aiter(1), lambda: anext(1), lambda: aiter([])]:
    try:
        bad()
    except TypeError as e:
        print("TypeError:", e)

# sys.set_asyncgen_hooks / get_asyncgen_hooks
print(sys.get_asyncgen_hooks())
seen = []
sys.set_asyncgen_hooks(firstiter=lambda g: seen.append(g.__name__), finalizer=None)
h = sys.get_asyncgen_hooks()
print(type(h).__name__, h.firstiter is not None, h.finalizer)
print(run_ticks(drain(agen(2))))
print(seen)
sys.set_asyncgen_hooks(None, None)
print(sys.get_asyncgen_hooks())
try:
    sys.set_asyncgen_hooks(firstiter=1)
except TypeError as e:
    print("TypeError:", e)
