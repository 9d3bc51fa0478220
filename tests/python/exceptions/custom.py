class MyError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
class SubError(MyError):
    pass
try:
    raise SubError(42, "sub failed")
except MyError as e:
    print(type(e).__name__, e.code, e, e.args)
class Plain(Exception):
    pass
try:
    raise Plain
except Exception as e:
    print(repr(e), str(e) == "")
class WithStr(Exception):
    def __str__(self):
        return "custom str"
try:
    raise WithStr()
except WithStr as e:
    print(e)
print(issubclass(SubError, Exception), issubclass(KeyError, LookupError), issubclass(ZeroDivisionError, ArithmeticError))
