data = [1, 5, 12, 3, 20, 7]
if (n := len(data)) > 5:
    print("long list", n)
big = [y for x in data if (y := x * 2) > 10]
print(big, y)
import re
s = "abc123"
if (m := re.search(r"\d+", s)):
    print(m.group())
i = 0
while (i := i + 1) < 4:
    print("i", i)
