def risky(n):
    if n % 2:
        raise ValueError(n)
    return n
results = []
for i in range(4):
    try:
        results.append(risky(i))
    except:
        results.append("err")
print(results)
try:
    try:
        raise TypeError("inner")
    except TypeError:
        print("handling")
        raise
except TypeError as e:
    print("outer got", e)
try:
    raise
except RuntimeError as e:
    print("RuntimeError:", e)
