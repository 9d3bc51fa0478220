def depth(x):
    if isinstance(x, (list, tuple)):
        return 1 + max((depth(i) for i in x), default=0)
    if isinstance(x, dict):
        return 1 + max((depth(v) for v in x.values()), default=0)
    return 0
def flatten(x):
    if isinstance(x, (list, tuple)):
        for i in x:
            yield from flatten(i)
    else:
        yield x
data = [1, [2, (3, [4, {'k': 5}])], []]
print(depth(data), list(flatten(data)), depth({}), depth([[[]]]))
