counter = 0
def bump():
    global counter
    counter += 1
for _ in range(3):
    bump()
print(counter)
def make():
    total = 0
    items = []
    def add(x):
        nonlocal total
        total += x
        items.append(x)
        return total
    def get():
        return total, items
    return add, get
add, get = make()
add(5); add(7)
print(get())
def shadow():
    x = 1
    def inner():
        x = 2
        return x
    inner()
    return x
print(shadow())
