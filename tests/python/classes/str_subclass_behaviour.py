class Sorted(list):
    def append(self, x):
        super().append(x)
        self.sort()
s = Sorted()
for v in [3, 1, 2]:
    s.append(v)
print(s, s[0], len(s), s + [0], type(s + [0]).__name__)
class Counter(dict):
    def inc(self, k):
        self[k] = self.get(k, 0) + 1
        return self
print(Counter().inc('a').inc('a').inc('b'))
