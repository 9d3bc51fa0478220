try:
    raise OSError(2, "No such file", "x.txt")
except OSError as e:
    print(e.errno, e.strerror, e.filename, e)
try:
    open("/nonexistent/file.txt")
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e)
try:
    raise StopIteration(5)
except StopIteration as e:
    print(e.value)
try:
    raise KeyError("k", "v")
except KeyError as e:
    print(e, e.args)
e = ValueError("m")
print(repr(e), e.args, str(e), isinstance(e, Exception))
