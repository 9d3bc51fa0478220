# Pickling what CPython's C types pickle: dict and set iterators (as the list of what is left),
# built-in functions by name; protocol 4+ frames go
# through BytesIO.getbuffer.
import io
import pickle

for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    it = iter({1: 2, 3: 4, 5: 6})
    next(it)
    print(proto, list(pickle.loads(pickle.dumps(it, proto))), it.__length_hint__())
    it = iter({1: 2, 3: 4}.items())
    print(proto, list(pickle.loads(pickle.dumps(it, proto))))
    s = iter({10, 20, 30})
    next(s)
    print(proto, len(list(pickle.loads(pickle.dumps(s, proto)))), s.__length_hint__())
    print(proto, pickle.loads(pickle.dumps(len, proto)) is len, pickle.loads(pickle.dumps([1, {2: (3, "x")}], proto)))
b = io.BytesIO(b"abc")
v = b.getbuffer()
print(len(v), bytes(v), v[0])
e = iter({1: 2})
list(e)
print(e.__length_hint__(), e.__reduce__()[1])
# list and tuple iterators pickle what is left, as their own kind of iterator
for proto in (0, 2, 5):
    li = iter([1, 2, 3, 4])
    next(li)
    ti = iter((5, 6, 7))
    next(ti)
    ri = reversed([8, 9, 10])
    next(ri)
    for it in (li, ti, ri):
        back = pickle.loads(pickle.dumps(it, proto))
        print(proto, type(back).__name__ == type(it).__name__, list(back), it.__length_hint__())
