# Coroutine objects (PEP 492): type, repr, send/throw/close, cr_* attributes, await protocols and their errors.
import types


async def add(a, b):
    return a + b


def run(coro):
    """Drive a coroutine that never really suspends to completion; return its result."""
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


c = add(1, 2)
print(type(c).__name__, type(c) is types.CoroutineType)
print(repr(c).startswith("<coroutine object add at 0x"))
print(c.cr_running, c.cr_await, c.cr_origin, c.cr_code is add.__code__, c.cr_frame is not None)
print(c.__name__, c.__qualname__)
print(run(c))
print(c.cr_frame)
try:
    c.send(None)
except RuntimeError as e:
    print("RuntimeError:", e)

# co_flags: CO_COROUTINE
print(bool(add.__code__.co_flags & 0x80), bool(add.__code__.co_flags & 0x20))

# not iterable
try:
    iter(add(1, 1))
except TypeError as e:
    print("TypeError:", e)
try:
    next(add(1, 1))
except TypeError as e:
    print("TypeError:", e)
try:
    for _ in add(1, 1):
        pass
except TypeError as e:
    print("TypeError:", e)


class Awaitable:
    def __init__(self, value):
        self.value = value

    def __await__(self):
        got = yield ("suspend", self.value)
        return got * 2


async def uses_awaitable():
    x = await Awaitable(5)
    y = await add(x, 1)
    return y


c = uses_awaitable()
print(c.send(None))
print(c.cr_await is not None, type(c.cr_await).__name__)
try:
    c.send(21)
except StopIteration as e:
    print("result", e.value)


# throw into a suspended coroutine: caught inside
async def catcher():
    try:
        await Awaitable(1)
    except ValueError as e:
        return "caught " + str(e)


c = catcher()
c.send(None)
try:
    c.throw(ValueError("boom"))
except StopIteration as e:
    print(e.value)

# close
c = catcher()
c.send(None)
c.close()
print("closed", c.cr_frame)
c.close()

# __await__ of a coroutine: a coroutine_wrapper iterator
c = add(2, 3)
w = c.__await__()
print(type(w).__name__, iter(w) is w)
try:
    next(w)
except StopIteration as e:
    print("wrapper result", e.value)


# errors of await
async def bad(x):
    return await x


for obj in [1, None, "s"]:
    try:
        run(bad(obj))
    except TypeError as e:
        print("TypeError:", e)


class AwaitNonIter:
    def __await__(self):
        return 1


class AwaitCoro:
    def __await__(self):
        return add(1, 2)


for obj in [AwaitNonIter(), AwaitCoro()]:
    try:
        run(bad(obj))
    except TypeError as e:
        print("TypeError:", e)

# awaiting the same coroutine twice
inner = add(1, 1)
print(run(bad(inner)))
try:
    run(bad(inner))
except RuntimeError as e:
    print("RuntimeError:", e)


# StopIteration raised inside a coroutine
async def raises_stop():
    raise StopIteration(3)


try:
    run(raises_stop())
except RuntimeError as e:
    print("RuntimeError:", e, type(e.__cause__).__name__)


# types.coroutine: a generator usable with await
@types.coroutine
def legacy():
    v = yield "legacy"
    return v + 1


print(bool(legacy.__code__.co_flags & 0x100))


async def uses_legacy():
    return await legacy()


c = uses_legacy()
print(c.send(None))
try:
    c.send(41)
except StopIteration as e:
    print("legacy result", e.value)


# yield from a coroutine in a plain generator
def plain():
    yield from add(1, 2)


try:
    list(plain())
except TypeError as e:
    print("TypeError:", e)

# send non-None to a just-started coroutine
try:
    add(1, 2).send(1)
except TypeError as e:
    print("TypeError:", e)


# nested awaits, exceptions propagate through the chain
async def level3():
    raise KeyError("deep")


async def level2():
    return await level3()


async def level1():
    try:
        return await level2()
    except KeyError as e:
        return "level1 caught " + repr(e)


print(run(level1()))

# syntax errors
for src in ["def f():\n    await x\n", "await x\n", "async def f():\n    yield from x\n",
            "async def f():\n    yield 1\n    return 2\n"]:
    try:
        compile(src, "<s>", "exec")
    except SyntaxError as e:
        print("SyntaxError:", e.msg)
