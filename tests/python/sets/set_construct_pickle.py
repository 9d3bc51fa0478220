# set/frozenset construction rules (keywords, argument counts, subclasses with their own __init__/__new__),
# __reduce__ and pickling of subclasses (dict and __slots__ state), a set subclass with its own __hash__ as an
# element, no rehashing of dict keys or set elements, dict.fromkeys arity, str.replace returning itself
import copy
import pickle


def attempt(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, e)


class SetSub(set):
    pass


class FrozenSub(frozenset):
    pass


class WithInit(set):
    def __init__(self, arg, newarg=None):
        super().__init__(arg)
        self.newarg = newarg


class FrozenWithInit(frozenset):
    def __init__(self, arg, newarg=None):
        self.newarg = newarg


class Slotted(set):
    __slots__ = ("x", "y", "__dict__")


attempt("set-kw", lambda: set([1], x=2))
attempt("set-2", lambda: set([], 2))
attempt("init-2", lambda: set().__init__(1, 2))
attempt("init-kw", lambda: set().__init__(a=1))
attempt("sub-2", lambda: SetSub([], 2))
attempt("sub-kw", lambda: SetSub(sequence=()))
attempt("frozen-kw", lambda: frozenset(a=1))
attempt("frozensub-kw", lambda: FrozenSub(sequence=()))
attempt("frozensub-2", lambda: FrozenSub([], 2))
w = WithInit([1, 2], newarg=3)
print(sorted(w), w.newarg, type(w).__name__)
f = FrozenWithInit([1, 2], newarg=3)
print(sorted(f), f.newarg, type(f).__name__)
print({1, 2}.__reduce__(), frozenset([3]).__reduce__())
s = SetSub([1, 2])
s.a = 5
print(s.__reduce__())
for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    d = pickle.loads(pickle.dumps(s, proto))
    print(proto, type(d).__name__, sorted(d), d.a, sorted(copy.deepcopy(s)))
z = Slotted([1])
z.x = ["x"]
z.w = 1
d = pickle.loads(pickle.dumps(z, 2))
print(sorted(d), d.x, d.w, hasattr(d, "y"))
mixed = {"a", b"a", 1}
print(all(pickle.loads(pickle.dumps(mixed, p)) == mixed for p in range(6)))


class H(set):
    def __hash__(self):
        return 12345


h = H()
outer = set()
outer.add(h)
print(h in outer, frozenset() in {frozenset()}, set() in {frozenset()})
outer.remove(h)
print(len(outer))


class Counting(int):
    hashes = 0

    def __hash__(self):
        Counting.hashes += 1
        return int.__hash__(self)


d = dict.fromkeys(map(Counting, range(10)))
before = Counting.hashes
s = set(d)
s.difference(d)
s.symmetric_difference_update(d)
dict.fromkeys(set(d))
dict.fromkeys(frozenset(d), 1)
print(Counting.hashes - before)
attempt("fromkeys-0", lambda: dict.fromkeys())
attempt("fromkeys-3", lambda: dict.fromkeys(1, 2, 3))
x = "abc"
print(x.replace("z", "y") is x, x.replace("a", "a") == x)
