def take(n, it):
    out = []
    for x in it:
        if len(out) >= n:
            break
        out.append(x)
    return out
def naturals():
    n = 0
    while True:
        yield n
        n += 1
print(take(5, naturals()), take(3, (x * x for x in naturals())))
def pipeline(data):
    data = (x.strip() for x in data)
    data = (x for x in data if x)
    data = (x.upper() for x in data)
    return list(data)
print(pipeline([" a ", "", "b ", "  "]))
