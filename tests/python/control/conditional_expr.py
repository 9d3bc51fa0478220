for v in [0, 1, 2]:
    print("zero" if v == 0 else "one" if v == 1 else "many")
a = [] or "default"
b = 0 and "never"
c = 1 and 2 and 3
d = None or 0 or "" or "last"
print(a, b, c, d, not 0, not [1], bool(""), bool("x"))
print((lambda q: q * 2)(21), (lambda *a: sum(a))(1, 2, 3), (lambda **k: sorted(k))(b=1, a=2))
