# A weakref proxy's number slots reach the referent (CPython's proxy_index, proxy_int, proxy_float).
import operator
import weakref


class Number:
    def __index__(self):
        return 10

    def __int__(self):
        return 11

    def __float__(self):
        return 1.5


n = Number()
p = weakref.proxy(n)
print(operator.index(p), int(p), float(p))
print(list(range(20))[p], "abcdefghijkl"[p])
