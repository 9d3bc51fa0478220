print(list(reversed('abc')), list(reversed(range(5))), list(reversed([1, 2])), list(reversed((1, 2, 3))))
print(list(reversed({'a': 1, 'b': 2})), list(enumerate('xy', -1)))
class R:
    def __reversed__(self):
        return iter([3, 2, 1])
print(list(reversed(R())))
try:
    reversed({1, 2})
except TypeError as e:
    print(e)
