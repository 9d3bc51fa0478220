# except* (PEP 654): splitting a group among clauses, naked exceptions, re-raising the unhandled rest,
# raising inside a clause, bare raise, sys.exception(), the type checks and the SyntaxErrors.
import sys


def show(e, indent=0):
    pad = " " * indent
    if isinstance(e, BaseExceptionGroup):
        print(pad + type(e).__name__ + repr(e.message))
        for x in e.exceptions:
            show(x, indent + 2)
    else:
        print(pad + repr(e))


def attempt(f):
    try:
        f()
        print("no exception")
    except BaseException as e:
        print("escaped:", end=" ")
        show(e)


def split_all():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), ValueError(3), KeyError(4)])
    except* ValueError as e:
        print("ValueError clause:", end=" ")
        show(e)
        print("exception() is match:", sys.exception() is e)
    except* (TypeError, KeyError) as e:
        print("Type/Key clause:", end=" ")
        show(e)
    print("after")


attempt(split_all)


def rest_escapes():
    try:
        raise ExceptionGroup("eg", [ValueError(1), OSError(2)])
    except* ValueError:
        print("handled ValueError")


attempt(rest_escapes)


def naked():
    try:
        raise ValueError("naked")
    except* ValueError as e:
        print("naked caught as:", end=" ")
        show(e)
        print(type(e.exceptions[0]).__name__)


attempt(naked)


def naked_unmatched():
    try:
        raise KeyError("k")
    except* ValueError:
        print("not here")


attempt(naked_unmatched)


def raise_new():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
    except* ValueError:
        raise RuntimeError("new")


attempt(raise_new)


def raise_new_only():
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* ValueError:
        raise RuntimeError("replaces")


attempt(raise_new_only)


def bare_reraise():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), ExceptionGroup("inner", [ValueError(3)])])
    except* ValueError:
        raise
    except* TypeError:
        pass


attempt(bare_reraise)


def reraise_and_new():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
    except* ValueError:
        raise
    except* TypeError:
        raise KeyError("k")


attempt(reraise_and_new)


def else_finally():
    try:
        pass
    except* ValueError:
        print("no")
    else:
        print("else ran")
    finally:
        print("finally ran")


attempt(else_finally)


def nested_groups():
    try:
        raise ExceptionGroup("outer", [ExceptionGroup("a", [ValueError(1), TypeError(2)]), ValueError(3)])
    except* ValueError as e:
        show(e)
    except* TypeError as e:
        show(e)


attempt(nested_groups)


def base_group():
    try:
        raise BaseExceptionGroup("beg", [KeyboardInterrupt(), ValueError(1)])
    except* KeyboardInterrupt as e:
        show(e)


attempt(base_group)


def loop_inside():
    for i in range(3):
        try:
            raise ExceptionGroup("eg", [ValueError(i)])
        except* ValueError as e:
            for j in range(5):
                if j == 1:
                    break
            print("iteration", i, e.exceptions[0].args)


attempt(loop_inside)


def catch_group_type():
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* ExceptionGroup:
        pass


def catch_non_exception():
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* int:
        pass


attempt(catch_group_type)
attempt(catch_non_exception)

# handled: nothing escapes; the name is unbound afterwards
def name_cleared():
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* ValueError as err:
        pass
    try:
        err
    except UnboundLocalError as u:
        print("UnboundLocalError:", u)


attempt(name_cleared)

for src in [
    "for x in y:\n    try:\n        pass\n    except* E:\n        break\n",
    "for x in y:\n    try:\n        pass\n    except* E:\n        continue\n",
    "def f():\n    try:\n        pass\n    except* E:\n        return 1\n",
    "try:\n    pass\nexcept* E:\n    pass\nexcept:\n    pass\n",
    "try:\n    pass\nexcept* :\n    pass\n",
]:
    try:
        compile(src, "<s>", "exec")
        print("compiled")
    except SyntaxError as e:
        print("SyntaxError:", e.msg)

# a group handled completely at module level
try:
    raise ExceptionGroup("final", [ValueError(1), TypeError(2)])
except* ValueError:
    print("last handled ValueError")
except* TypeError:
    print("last handled TypeError")
