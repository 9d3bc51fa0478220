class A:
    def __repr__(self):
        return "A-repr"
class B:
    def __str__(self):
        return "B-str"
class C:
    def __repr__(self):
        return "C-repr"
    def __str__(self):
        return "C-str"
for o in [A(), B(), C()]:
    print(str(o), "|", f"{o}", "|", [o][0] is o)
print([A(), C()], (A(),), {"k": C()})
print(repr(A()), str(C()), "%s %r" % (C(), C()), "{} {!r}".format(C(), C()))
class D:
    pass
print(str(D()).startswith("<__main__.D object at 0x"))
