for i in range(10):
    if i % 3 == 0:
        print("fizz", i)
    elif i % 3 == 1:
        continue
    else:
        print("other", i)
n = 0
while n < 5:
    n += 1
    if n == 4:
        break
else:
    print("no break")
print("n =", n)
for x in []:
    pass
else:
    print("empty for else")
i = 0
while i < 3:
    i += 1
else:
    print("while else", i)
for a, b in [(1, 2), (3, 4)]:
    print(a + b)
for i, c in enumerate("abc", 1):
    print(i, c)
for x, y in zip(range(3), "xyz"):
    print(x, y)
