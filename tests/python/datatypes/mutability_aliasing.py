a = [1, 2]
b = a
b.append(3)
print(a, a is b)
c = a[:]
c.append(4)
print(a, c)
m = [[0] * 2] * 2
m[0][0] = 1
print(m)
n = [[0] * 2 for _ in range(2)]
n[0][0] = 1
print(n)
t = ([1], 2)
t[0].append(5)
print(t)
def f(x):
    x += [9]
    return x
l = [1]
f(l)
print(l)
s = "abc"
s2 = s
s += "d"
print(s, s2)
