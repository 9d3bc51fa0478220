# _operator, the C module operator.py imports everything from: reprs, argument errors, pickling, length_hint.
import _operator
import operator
import pickle

print(operator.add is _operator.add, operator.add.__module__, operator.attrgetter.__module__)
print(operator.attrgetter("a", "b.c"), operator.itemgetter(1, "x"), operator.methodcaller("f", 1, x=2))


class A:
    pass


a = A()
a.x, a.t = 1, A()
a.t.u = "deep"
print(operator.attrgetter("x")(a), operator.attrgetter("x", "t.u")(a))
print(operator.itemgetter(slice(1, 3))("abcd"), operator.itemgetter(0, -1)([5, 6, 7]))
print(operator.methodcaller("split", ",", maxsplit=1)("a,b,c"))


def err(f, *args, **kw):
    try:
        print(f(*args, **kw))
    except Exception as e:
        print(type(e).__name__ + ":", e)


err(operator.attrgetter)
err(operator.attrgetter, 2)
err(operator.attrgetter("x"), a, 1)
err(operator.attrgetter("x"), a, k=1)
err(operator.attrgetter("nope"), a)
err(operator.itemgetter)
err(operator.methodcaller)
err(operator.methodcaller, 12)
err(operator.add, 1)
err(operator.concat, 1, 2)
err(operator.concat, [1], (2,))
print(operator.concat([1], [2]), operator.iconcat([1], [2]), operator.countOf([1, 2, 1, 1.0], 1))
err(operator.indexOf, [1, 2], 3)
print(operator.call(lambda *a, **k: (a, k), 1, z=2))
print(operator.length_hint([], 2), operator.length_hint(iter([1, 2, 3])), operator.length_hint(object(), 7))
err(operator.length_hint, [], 2.0)
print(operator.truth([]), operator.not_(0), operator.is_(None, None), operator.index(7), operator.inv(5))
print(operator.ipow(2, 10), operator.imatmul.__name__, operator.ior({1}, {2}))
print(_operator._compare_digest(b"abc", b"abc"), _operator._compare_digest("abc", "abd"))
err(_operator._compare_digest, "abc", b"abc")
err(_operator._compare_digest, "\xe9", "\xe9")
for f in (operator.attrgetter("x", "t.u"), operator.itemgetter(2), operator.methodcaller("bar", 1),
          operator.methodcaller("baz", f=5)):
    g = pickle.loads(pickle.dumps(f))
    print(repr(g) == repr(f), f.__reduce__()[1] if not isinstance(f.__reduce__()[0], type(operator.add)) else "")
print(sorted([("b", 2), ("a", 3), ("c", 1)], key=operator.itemgetter(1)))
