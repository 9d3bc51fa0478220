from collections import Counter
c = Counter("mississippi")
print(c.most_common(2), c["s"], c["z"], sorted(c.elements())[:5], sum(c.values()), len(c))
c2 = Counter(["a", "b", "a"])
c2.update("aab")
print(sorted(c2.items()), c2 + Counter("b"), Counter("abc") - Counter("a"), Counter(a=3) & Counter(a=1), Counter(a=1) | Counter(a=2))
words = "the cat and the hat and the bat".split()
print(Counter(words).most_common(3))
