CONST = 42
_count = 0
def greet(name):
    return f"hi {name}"
def counter():
    global _count
    _count += 1
    return _count
