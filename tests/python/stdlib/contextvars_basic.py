# contextvars over our C-level _contextvars: ContextVar get/set/reset, Token, Context.run/copy, the mapping view.
import contextvars
from contextvars import ContextVar, Context, Token, copy_context

v = ContextVar("v", default=1)
w = ContextVar("w")
print(v.name, v.get(), w.get("fallback"))
try:
    w.get()
except LookupError as e:
    print("LookupError", type(e.args[0]).__name__, e.args[0].name)

t = v.set(2)
print(v.get(), type(t).__name__, t.var is v, t.old_value is Token.MISSING, repr(Token.MISSING))
t2 = v.set(3)
print(v.get(), t2.old_value)
v.reset(t2)
print(v.get())
v.reset(t)
print(v.get())
try:
    v.reset(t)
except RuntimeError as e:
    print("RuntimeError", "has already been used once" in str(e))
try:
    w.reset(w.set(5) and v.set(9))
except ValueError as e:
    print("ValueError", "was created by a different ContextVar" in str(e))

ctx = copy_context()
print(type(ctx).__name__, v in ctx, ctx[v], len(ctx) >= 1)


def in_ctx(x, y=0):
    v.set(x + y)
    return v.get(), sorted(var.name for var in copy_context())


print(ctx.run(in_ctx, 10, y=5))
print("outside", v.get(), "inside", ctx[v], ctx.get(v), ctx.get(ContextVar("z"), "d"))


def reenter():
    return ctx.run(lambda: 1)


try:
    ctx.run(reenter)
except RuntimeError as e:
    print("RuntimeError", "is already entered" in str(e))

empty = Context()
print(len(empty), list(empty), empty.run(v.get))
try:
    empty[1]
except TypeError as e:
    print("TypeError", e)
try:
    empty[w]
except KeyError as e:
    print("KeyError", e.args[0] is w)
c2 = ctx.copy()
print(c2 == ctx, c2 is ctx, sorted(x.name for x in c2.keys()), list(c2.values()) == list(ctx.values()))
try:
    ContextVar(1)
except TypeError as e:
    print("TypeError", e)
print(repr(v).startswith("<ContextVar name='v' default=1 at 0x"), repr(w).startswith("<ContextVar name='w' at 0x"))
