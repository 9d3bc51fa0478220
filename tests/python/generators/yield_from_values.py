def sub(n):
    total = 0
    for i in range(n):
        total += yield i
    return total
def main():
    a = yield from sub(3)
    b = yield from sub(2)
    yield ('results', a, b)
g = main()
out = [next(g)]
try:
    while True:
        out.append(g.send(10))
except StopIteration:
    pass
print(out)
def gen_list():
    yield from [1, 2]
    yield from (x for x in 'ab')
    yield from range(2)
print(list(gen_list()))
