data = iter([1, 2, 3, 0, 4])
print(list(iter(lambda: next(data), 0)))
it = iter("ab")
print(next(it), next(it), next(it, "sentinel"))
class CountCalls:
    def __init__(self):
        self.n = 0
    def __call__(self):
        self.n += 1
        return self.n
print(list(iter(CountCalls(), 4)))
