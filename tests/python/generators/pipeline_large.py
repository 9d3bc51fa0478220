def numbers(n):
    for i in range(n):
        yield i
def squares(it):
    for x in it:
        yield x * x
def only_even(it):
    return (x for x in it if x % 2 == 0)
print(sum(only_even(squares(numbers(10000)))))
print(list(zip(numbers(3), squares(numbers(5)))))
g = squares(numbers(3))
print(list(g), list(g))
