class O:
    a = 1
o = O()
setattr(o, "b", 2)
print(getattr(o, "a"), getattr(o, "b"), getattr(o, "c", 3), hasattr(o, "a"), hasattr(o, "zz"))
delattr(o, "b")
print(hasattr(o, "b"), vars(o), sorted(k for k in dir(o) if not k.startswith("__")))
try:
    getattr(o, "missing")
except AttributeError as e:
    print("AttributeError:", e)
