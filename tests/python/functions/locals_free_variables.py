# locals() in a nested function includes its free variables (CPython's PyFrame_FastToLocals), and
# eval() without a mapping sees them; a class body's locals() does not list the enclosing function's.
def outer(x):
    def middle(y):
        def inner(z):
            return y + z
        w = x + y
        y += 3
        d = locals()
        d.pop('inner')
        return sorted(d.items()), eval("x * 10 + w")
    return middle

print(outer(2)(4))


def frame_locals_same_dict():
    a = 1
    first = locals()
    b = 2
    second = locals()
    return first is second, sorted(second)

print(frame_locals_same_dict())


def class_body(v):
    class K:
        u = v
        names = sorted(locals())
    return K.names

print(class_body(5))
