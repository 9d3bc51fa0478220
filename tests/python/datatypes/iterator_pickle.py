# list and reversed iterators pickle with their sequence and position (CPython's __reduce__/__setstate__)
import pickle
orig = [4, 5, 6, 7]
data = [10, 11, 12, 13, 14, 15]
for make in (iter, reversed):
    for proto in (0, 2, pickle.HIGHEST_PROTOCOL):
        it = make(orig)
        it2, a = pickle.loads(pickle.dumps((it, orig), proto))
        a[:] = data
        print(type(it2).__name__, list(it2))
        next(it)
        it2, a = pickle.loads(pickle.dumps((it, orig), proto))
        a[:] = data
        print(list(it2))
        for x in it:
            pass
        it2, a = pickle.loads(pickle.dumps((it, orig), proto))
        a[:] = data
        print(list(it2), it.__reduce__()[1])
for seq in ((1, 2, 3), 'abc', b'xyz'):
    it = reversed(seq)
    print(type(it).__name__, it.__length_hint__(), it.__reduce__()[1:])
    next(it)
    print(list(pickle.loads(pickle.dumps(it))), it.__length_hint__())
    list(it)
    print(it.__reduce__()[1:], it.__length_hint__())
it = reversed([1, 2, 3])
it.__setstate__(10)
print(list(it))
it = iter([1, 2, 3])
it.__setstate__(-5)
print(list(it))
