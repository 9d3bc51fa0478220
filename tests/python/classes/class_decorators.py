def add_greeting(cls):
    cls.greet = lambda self: f"Hello from {cls.__name__}"
    return cls
@add_greeting
class Person:
    pass
print(Person().greet())
registry = []
def register(cls):
    registry.append(cls.__name__)
    return cls
@register
class A: pass
@register
class B: pass
print(registry)
