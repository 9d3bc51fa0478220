def a():
    b()
def b():
    raise RuntimeError("uncaught!")
print("before")
a()
print("never")
