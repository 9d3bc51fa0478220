x = 'global'
class C:
    x = 'class'
    def m(self):
        return x
    y = [x for _ in range(1)]
print(C().m(), C.y, C.x)
def f():
    x = 'enclosing'
    class D:
        y = x
    return D.y
print(f())
