class A: pass
class B(A): pass
class C: pass
objs = [A(), B(), C(), 1, 'x']
for o in objs:
    print(type(o).__name__, isinstance(o, A), isinstance(o, (B, C)), issubclass(type(o), A), type(o) is A)
print(issubclass(B, (C, A)), issubclass(A, object), isinstance(A, type), type(A).__name__)
