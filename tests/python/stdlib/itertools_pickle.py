# itertools objects pickle and copy as CPython 3.11's: __reduce__ and __setstate__ of every type, partly consumed
# iterators resume where they were, and bad states get CPython's errors.
import copy
import operator
import pickle
from itertools import (accumulate, chain, combinations, combinations_with_replacement, compress, count, cycle,
                       dropwhile, filterfalse, groupby, islice, pairwise, permutations, product, repeat, starmap,
                       takewhile, tee, zip_longest)


def roundtrips(make, consume=2, take=6):
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        it = make()
        for _ in range(consume):
            next(it, None)
        rest = list(islice(pickle.loads(pickle.dumps(it, proto)), take))
        again = list(islice(copy.deepcopy(it), take))
        mine = list(islice(it, take))
        assert rest == mine == again, (proto, rest, mine, again)
    return mine


print(roundtrips(lambda: count(3)))
print(roundtrips(lambda: count(3, 5)))
print(roundtrips(lambda: count(1.5, 0.5)))
print(roundtrips(lambda: cycle('abc'), consume=4))
print(roundtrips(lambda: cycle(iter('abcde')), consume=7, take=8))
print(roundtrips(lambda: repeat('x', 5)))
print(roundtrips(lambda: accumulate(range(8))))
print(roundtrips(lambda: accumulate(range(5), operator.mul, initial=1), consume=0))
print(roundtrips(lambda: chain('ab', 'cde', 'f')))
print(roundtrips(lambda: compress('ABCDEF', [1, 0, 1, 0, 1, 1]), consume=1))
print(roundtrips(lambda: dropwhile(operator.not_, [0, 0, 1, 0, 2]), consume=1))
print(roundtrips(lambda: takewhile(bool, [1, 2, 3, 0, 4]), consume=1))
print(roundtrips(lambda: filterfalse(None, [0, 1, 0, 2, 0, 3]), consume=1))
print(roundtrips(lambda: islice(range(100), 2, 40, 7)))
print(roundtrips(lambda: starmap(pow, [(2, 3), (3, 2), (10, 2), (2, 10)])))
print(roundtrips(lambda: zip_longest('abc', 'de', fillvalue='-')))
print(roundtrips(lambda: product('ab', range(3)), consume=3))
print(roundtrips(lambda: product(), consume=1))
print(roundtrips(lambda: combinations('abcd', 2), consume=3))
print(roundtrips(lambda: combinations_with_replacement('abc', 2), consume=3))
print(roundtrips(lambda: permutations('abc'), consume=2))
print(roundtrips(lambda: permutations('abcd', 2), consume=5))
print(roundtrips(lambda: map(operator.add, [1, 2, 3], [10, 20, 30]), consume=1))
print(roundtrips(lambda: filter(None, [0, 1, 0, 2, 3]), consume=1))
print(roundtrips(lambda: zip('abc', range(3)), consume=1))

# what __reduce__ gives
print(count(3).__reduce__(), count(3, 5).__reduce__(), count(2, 1.0).__reduce__())
print(repeat('a', 3).__reduce__(), repeat('a').__reduce__())
print(type(accumulate([1], initial=5).__reduce__()[1][0]).__name__)
r = chain('ab').__reduce__()
print(r[0], r[1], type(r[2][0]).__name__, len(chain().__reduce__()))
z = zip([1], [2], strict=True)
print(z.__reduce__()[0], z.__reduce__()[2])
z.__setstate__(False)
print(len(z.__reduce__()))

# groupby and its groups
g = groupby('aaabbc')
k, grp = next(g)
print(k, next(grp), pickle.loads(pickle.dumps(g)) is not None)
print([(k, list(v)) for k, v in pickle.loads(pickle.dumps(groupby('aabbbcd')))])

# tee copies share their data
a, b = tee('hello')
next(a)
next(a)
print(list(pickle.loads(pickle.dumps(a))), list(copy.copy(b)), list(copy.deepcopy(a)))

# bad states
def error(f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except Exception as e:
        print(type(e).__name__, e)


error(chain().__setstate__, ())
error(chain().__setstate__, [])
error(chain().__setstate__, (iter([]), []))
error(chain().__setstate__, (1, 2, 3))
error(cycle('a').__setstate__, [[], 0])
error(cycle('a').__setstate__, ((), 0))
error(product('ab').__setstate__, (1, 2))
error(permutations('ab').__setstate__, ((0, 1),))
error(tee('a')[0].__setstate__, (1, 2))
c = cycle('defg')
c.__setstate__((list('abc'), 0))
print(list(islice(c, 10)))
p = product((1, 2), (3, 4))
p.__setstate__((0, 0x1000))
print(list(p))
error(pickle.dumps, pairwise('ab'))

# keywords: refused by the types that take none, unless a subclass has its own __init__
error(cycle, 'ab', x=1)
error(map, str, [1], x=1)
error(filter, None, [1], x=1)
error(zip, [1], x=1)
error(zip, [1], strict=True, x=1)
error(zip, 3)
error(map, str, 3)
error(filter)


class MyMap(map):
    def __init__(self, *args, tag=None):
        self.tag = tag


class MyChain(chain):
    def __init__(self, *args, tag=None):
        self.tag = tag


m = MyMap(str, [1, 2], tag='t')
print(type(m).__name__, m.tag, list(m))
c = MyChain('ab', 'c', tag=7)
print(type(c).__name__, c.tag, list(c))
