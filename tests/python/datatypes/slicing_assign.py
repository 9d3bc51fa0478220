a = list(range(10))
a[2:5] = []
print(a)
a[:0] = [-2, -1]
print(a)
a[::3] = ["x"] * len(a[::3])
print(a)
a[-2:] = "yz"
print(a)
b = [1, 2, 3]
b[1:2] = [7, 8, 9]
print(b, b[::-1][1:3], b[-100:100], b[3:1])
del b[::2]
print(b)
s = "hello world"
print(s[-5:], s[:-6], s[::-1][::2], s[1:-1:3])
