class Chain:
    def __init__(self, *its):
        self.its = its
    def __iter__(self):
        for it in self.its:
            yield from it
    def __len__(self):
        return sum(len(x) for x in self.its)
    def __getitem__(self, i):
        return list(self)[i]
c = Chain([1, 2], "ab", (3,))
print(list(c), len(c), c[3], c[-1], list(reversed(c)), 2 in c)
