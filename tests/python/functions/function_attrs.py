def documented(a, b=1):
    """Doc string here."""
    return a
print(documented.__name__, documented.__doc__, documented.__defaults__, documented.__code__.co_argcount)
documented.custom = "attr"
print(documented.custom, callable(documented))
class K:
    def meth(self):
        pass
print(K.meth.__qualname__, K().meth.__name__, K.meth.__name__)
def outer():
    def inner():
        pass
    return inner
print(outer().__qualname__)
