print(None, type(None).__name__, None is None, None == None, bool(None))
print(True and False, True or False, not True, True == 1, False == 0, True is True, isinstance(True, int))
print(str(True), repr(False), int(True), True + 0.5, hash(True) == hash(1), {True: "a", 1: "b"})
print(NotImplemented, Ellipsis, ..., type(...).__name__)
