s = "the quick brown fox jumps over the lazy dog"
print(s.count("the"), s.find("fox"), s.find("cat"), s.rfind("the"), s.index("quick"))
print(s.startswith(("a", "the")), s.endswith(("dog", "cat")), s.find("o", 15), s.find("o", 15, 20))
print(s.split(" ", 2), s.rsplit(" ", 2), s.split("o"), "a-b-c".rsplit("-", 1))
print(s.title(), s.capitalize()[:10], "".join(reversed(s))[:10])
try:
    s.index("cat")
except ValueError as e:
    print("ValueError:", e)
