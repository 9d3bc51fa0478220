data = [('b', 2), ('a', 2), ('c', 1), ('d', 1), ('e', 3)]
print(sorted(data, key=lambda t: t[1]))
print(sorted(data, key=lambda t: t[1], reverse=True))
words = 'The quick Brown fox Jumps over the lazy Dog'.split()
print(sorted(words), sorted(words, key=str.lower), sorted(words, key=len))
l = [3, 1, 2]
l.sort(key=lambda x: -x)
print(l, sorted(range(10), key=lambda x: x % 3))
