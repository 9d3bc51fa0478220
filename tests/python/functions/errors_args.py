def f(a, b):
    return a + b
for call in [lambda: f(1), lambda: f(1, 2, 3), lambda: f(1, c=2), lambda: f(1, a=2), lambda: f(b=1)]:
    try:
        call()
    except TypeError as e:
        print("TypeError:", e)
def g(x, /):
    return x
try:
    g(x=1)
except TypeError as e:
    print("TypeError:", e)
def k(*, a):
    return a
try:
    k()
except TypeError as e:
    print("TypeError:", e)
try:
    k(1)
except TypeError as e:
    print("TypeError:", e)
