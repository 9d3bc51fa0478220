# code object attributes Lib's inspect/traceback/dis read
def h(a, b=2, /, c=3, *args, d, e=5, **kw):
    x = 1
    def inner():
        return x
    return inner

co = h.__code__
print(co.co_name, co.co_qualname, co.co_argcount, co.co_posonlyargcount, co.co_kwonlyargcount)
print(co.co_varnames[:8])
print(co.co_cellvars, h(1, d=4).__code__.co_freevars)
print(co.co_filename.endswith("code_objects.py"), co.co_firstlineno)
print(co.co_flags & 0x4 != 0, co.co_flags & 0x8 != 0, co.co_flags & 0x20 != 0)

def g():
    yield 1
print(g.__code__.co_flags & 0x20 != 0, g.__code__.co_flags & 0x40 != 0)

class K:
    def m(self):
        pass
print(K.m.__code__.co_qualname, K.m.__code__ is K.m.__code__)
print(type(co).__name__)

lines = [l for _, _, l in co.co_lines() if l is not None]
print(min(lines) >= co.co_firstlineno, max(lines) <= co.co_firstlineno + 5)
pos = list(co.co_positions())
print(len(pos) > 0, all(len(p) == 4 for p in pos))

# cells
def outer():
    v = [1]
    def f():
        return v
    return f
c = outer().__closure__[0]
print(c.cell_contents)
c.cell_contents = "changed"
print(outer.__code__.co_cellvars, c.cell_contents)
def unbound():
    def f():
        return late
    cell = f.__closure__[0]
    try:
        cell.cell_contents
    except ValueError as e:
        print("ValueError:", e)
    late = 1
    print(cell.cell_contents)
unbound()
