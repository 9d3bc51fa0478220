# BaseExceptionGroup / ExceptionGroup: construction, str/repr, split, subgroup, derive, nesting rules
eg = ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3)])
print(type(eg).__name__, eg.message, eg.exceptions)
print(str(eg), repr(eg))
print(isinstance(eg, Exception), issubclass(ExceptionGroup, BaseExceptionGroup))
print([c.__name__ for c in ExceptionGroup.__mro__])

b = BaseExceptionGroup("auto", [ValueError(1)])
print(type(b).__name__)
b2 = BaseExceptionGroup("base", [KeyboardInterrupt()])
print(type(b2).__name__, str(b2))
try:
    ExceptionGroup("bad", [KeyboardInterrupt()])
except TypeError as e:
    print("TypeError:", e)
for args in [("m", []), (1, [ValueError()]), ("m", ValueError()), ("m", [1])]:
    try:
        ExceptionGroup(*args)
    except (TypeError, ValueError) as e:
        print(type(e).__name__ + ":", e)

match, rest = eg.split(ValueError)
print(match.exceptions, rest.exceptions, match.message)
print(eg.subgroup(TypeError).exceptions)
print(eg.subgroup(KeyError), eg.split(Exception)[0] is eg)
print(eg.split(lambda e: isinstance(e, ValueError) and e.args[0] > 1)[0].exceptions)
print(eg.split((TypeError, KeyError))[0].exceptions)

nested = ExceptionGroup("outer", [ValueError("a"), ExceptionGroup("inner", [TypeError("b"), ValueError("c")])])
m, r = nested.split(ValueError)
print(repr(m))
print(repr(r))
try:
    eg.split(5)
except TypeError as e:
    print("TypeError:", e)

eg.add_note("a note")
m = eg.subgroup(ValueError)
print(m.__notes__, m.__notes__ is not eg.__notes__)
d = eg.derive([KeyError("k")])
print(type(d).__name__, d.message, d.exceptions, hasattr(d, "__notes__"))

class MyGroup(ExceptionGroup):
    def derive(self, excs):
        return MyGroup(self.message + "!", excs)
mg = MyGroup("mine", [ValueError(1), TypeError(2)])
print(type(mg.subgroup(ValueError)).__name__, mg.subgroup(ValueError).message)

try:
    raise ExceptionGroup("raised", [OSError("x")])
except ExceptionGroup as e:
    print("caught", e.exceptions[0])
print(ExceptionGroup[int])
