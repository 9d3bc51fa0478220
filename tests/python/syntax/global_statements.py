x = 0
def g():
    global x, y
    x = 1
    y = 2
g()
print(x, y)
def h():
    global z
    z = [1]
    z.append(2)
h()
print(z)
