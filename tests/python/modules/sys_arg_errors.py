# Argument errors of C-level functions: CPython's exact TypeError texts (Python/getargs.c, Argument Clinic).
import sys

calls = [
    lambda: sys.exit(1, 2),
    lambda: sys.setrecursionlimit(),
    lambda: sys.setrecursionlimit('a'),
    lambda: sys.setrecursionlimit(1.5),
    lambda: sys.setrecursionlimit(limit=10),
    lambda: sys.setrecursionlimit(10 ** 20),
    lambda: sys.setrecursionlimit(0),
    lambda: sys.intern(1),
    lambda: sys.intern(),
    lambda: sys.intern('a', 'b'),
    lambda: sys.getsizeof(),
    lambda: sys.getsizeof(1, 2, 3),
    lambda: sys.getsizeof(x=1),
    lambda: sys.getsizeof(1, object=2),
    lambda: sys.getsizeof(1, default=2, x=3),
    lambda: sys.getsizeof(object=1, default=2, x=3),
    lambda: sys.getrecursionlimit(1),
    lambda: sys.getrecursionlimit(x=1),
    lambda: sys.exc_info(1),
    lambda: sys.exception(1),
    lambda: sys.getdefaultencoding(1),
    lambda: sys.getrefcount(),
    lambda: sys.getrefcount(x=1),
    lambda: sys._getframe(1, 2),
    lambda: sys._getframe('a'),
]
for i, call in enumerate(calls):
    try:
        call()
        print(i, "ok")
    except (TypeError, ValueError, OverflowError) as e:
        print(i, type(e).__name__, e)

print(sys.intern('abc') == 'abc', sys.getsizeof(1) > 0, sys.getsizeof(1, 5) > 0, sys.getsizeof(object=1) > 0)
old = sys.getrecursionlimit()
sys.setrecursionlimit(500)
print(sys.getrecursionlimit())
sys.setrecursionlimit(old)
try:
    sys.exit('bye')
except SystemExit as e:
    print(repr(e.code))
try:
    sys.exit()
except SystemExit as e:
    print(repr(e.code))
