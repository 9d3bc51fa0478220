# A function or class declared `global` in the function (or class) that defines it has no "<locals>" in its
# __qualname__ (CPython's compiler_set_qualname), so pickle finds it as a module global.
import pickle


def make():
    global Point, helper

    class Point:
        def norm(self):
            def inner():
                return 0
            return inner

    def helper():
        def nested():
            pass
        return nested

    class Local:
        pass

    return Local


Local = make()
print(Point.__qualname__, Point.norm.__qualname__, Point().norm().__qualname__)
print(helper.__qualname__, helper().__qualname__, Local.__qualname__)


class Outer:
    global Inner

    class Inner:
        pass

    class Kept:
        pass


print(Inner.__qualname__, Outer.Kept.__qualname__)
print(pickle.loads(pickle.dumps(Point())).__class__ is Point)
