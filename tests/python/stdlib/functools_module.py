import functools
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(100), fib.cache_info().hits > 0)
@functools.cache
def sq(n):
    return n * n
print(sq(4), sq(4))
print(sorted([3, 1, 2], key=functools.cmp_to_key(lambda a, b: b - a)))
p = functools.partial(int, base=2)
print(p("1010"))
class C:
    @functools.cached_property
    def value(self):
        print("computing")
        return 42
c = C()
print(c.value, c.value)
