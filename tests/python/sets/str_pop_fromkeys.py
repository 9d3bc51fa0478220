# set.pop() and dict.fromkeys over sets of strings follow CPython's table order (PYTHONHASHSEED=0 in the corpus).
s = {"red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "é", "€", "😀"}
out = []
while s:
    out.append(s.pop())
print(out)
t = set(f"w{i}" for i in range(50))
print([t.pop() for _ in range(12)], len(t))
t.update(["new", "w3", "zz", "日本"])
print([t.pop() for _ in range(8)])
d = {}.fromkeys({"one", "two", "three", "four", "five", "six", "seven"})
print(d)
print(dict.fromkeys({"α", "β", "γ", "δ", "ε"}, 0))
print(list(dict.fromkeys(set("mississippi river"))))
words = "the cat sat on the mat with the hat and the bat".split()
print(set(words), list(dict.fromkeys(set(words))))
fs = frozenset({"x", "y", "z", "xy", "yz"})
print(fs, hash(fs) == hash(frozenset(["z", "yz", "y", "xy", "x"])))
