# Call frames are reused by the next call of the same code unless something kept them (a frame object, a
# traceback): everything a kept frame shows must stay what it was, and a reused frame must start clean.
import sys
import threading


def keep_frame(x):
    y = x * 2
    return sys._getframe()


def caller_of_keep(tag):
    here = tag + "!"
    return keep_frame(len(tag)), here


frames = [caller_of_keep("a"), caller_of_keep("bbb"), caller_of_keep("cc")]
for f, here in frames:
    print(f.f_code.co_name, sorted(f.f_locals.items()), f.f_back.f_code.co_name,
          sorted(f.f_back.f_locals.items()), f.f_back.f_back.f_code.co_name)
print(len({id(f) for f, _ in frames}), "distinct frames kept")


def plain(a, b=10, *, c=100):
    return a + b + c


print([plain(i) for i in range(3)], plain(1, 2), plain(1, c=3), plain(b=5, a=1))


def unbound(flag):
    if flag:
        v = "set"
    try:
        return v
    except UnboundLocalError as e:
        return "unbound: " + str(e)


print(unbound(True), "|", unbound(False), "|", unbound(True), "|", unbound(False))


def fails(n):
    local_value = n * 3
    if n % 2:
        raise ValueError(n)
    return local_value


tbs = []
for n in range(4):
    try:
        print("ok", fails(n))
    except ValueError as e:
        tbs.append(e.__traceback__)
for tb in tbs:
    while tb.tb_next:
        tb = tb.tb_next
    print("tb", tb.tb_frame.f_code.co_name, tb.tb_frame.f_locals)


def make_counter(start):
    count = start

    def step():
        nonlocal count
        count += 1
        return count
    return step


counters = [make_counter(s) for s in (0, 100, 1000)]
print([c() for c in counters], [c() for c in counters], counters[0](), counters[2]())


def cell_arg(x):
    def get():
        return x
    x += 1
    return get


getters = [cell_arg(i) for i in range(3)]
print([g() for g in getters])


def gen(n):
    for i in range(n):
        yield i


def drive():
    g = gen(3)
    next(g)
    return g


g = drive()
print("suspended f_back", g.gi_frame.f_back)
print(list(g))

# one code object, two functions with their own globals
module_code = compile("def reads_global():\n    return WHO\n", "<two globals>", "exec")
ns1 = {"WHO": "first"}
ns2 = {"WHO": "second"}
exec(module_code, ns1)
exec(module_code, ns2)
one, other = ns1["reads_global"], ns2["reads_global"]
print(one(), other(), one(), other())


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(20))


def depth_marks(n):
    if n == 0:
        f = sys._getframe()
        names = []
        while f is not None and f.f_code.co_name == "depth_marks":
            names.append(f.f_locals["n"])
            f = f.f_back
        return names
    return depth_marks(n - 1)


print(depth_marks(5), depth_marks(3))


def work(k, out):
    total = 0
    for i in range(2000):
        total += plain(i, k)
    out[k] = total


results = {}
threads = [threading.Thread(target=work, args=(k, results)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.items()))
