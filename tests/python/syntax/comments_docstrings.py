# comment at top
def f():
    """Docstring of f.

    More lines.
    """
    # inside comment
    return 1  # trailing comment
print(f.__doc__.splitlines()[0], f())
class C:
    "single-quoted docstring"
print(C.__doc__)
'''module-level string expression is ignored'''
print("end")
