def f():
    try:
        return "try"
    finally:
        print("finally runs")
print(f())
def g():
    try:
        return "try"
    finally:
        return "finally"
print(g())
def h():
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            print("body", i)
        finally:
            print("fin", i)
    return "done"
print(h())
def k():
    try:
        raise ValueError("x")
    finally:
        print("cleanup")
try:
    k()
except ValueError as e:
    print("got", e)
def nested():
    try:
        try:
            raise KeyError("inner")
        finally:
            print("inner finally")
    except KeyError:
        print("outer caught")
    finally:
        print("outer finally")
nested()
