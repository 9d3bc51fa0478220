# Context chains that already hold a cycle do not hang the next raise (CPython's Floyd walk), a new cycle is
# cut, and SyntaxError's attributes: the details tuple unpacked, None by default, its argument checks.
import sys


def cycle():
    try:
        raise ValueError(1)
    except ValueError as ex:
        ex.__context__ = ex
        raise TypeError(2)


try:
    cycle()
except Exception as e:
    print(type(e).__name__, type(e.__context__).__name__, e.__context__.__context__ is e.__context__)


class A(Exception): pass
class B(Exception): pass
class C(Exception): pass


try:
    try:
        raise A()
    except A as a_:
        a = a_
        try:
            raise B()
        except B as b_:
            b = b_
            try:
                raise C()
            except C as c_:
                c = c_
                a.__context__ = c
                raise c
except C as caught:
    print(caught is c, c.__context__ is b, b.__context__ is a, a.__context__ is c)

e = SyntaxError("bad bad", ("bad.py", 1, 2, "abcdefg", 1, 7))
print(e.msg, e.filename, e.lineno, e.offset, repr(e.text), e.end_lineno, e.end_offset, str(e))
print(e.args)
e = SyntaxError("plain")
print(e.msg, e.filename, e.lineno, e.offset, e.text, e.end_lineno, e.end_offset, e.print_file_and_line, str(e))
e = SyntaxError()
print(e.msg, e.filename, repr(str(e)))
e = SyntaxError("four", ["f.py", 3, 1, "x"])
print(e.filename, e.lineno, e.end_lineno, e.end_offset, str(e))
for details in (("f.py", 1), ("f.py", 1, 2, "t", 5), ("f.py", 1, 2, "t", 1, 2, 3)):
    try:
        SyntaxError("m", details)
    except TypeError as err:
        print("TypeError:", err)

print(sys.getrecursionlimit())
try:
    sys.setrecursionlimit(1)
except RecursionError as err:
    print("RecursionError:", str(err).split(" at the")[0], "... the limit is too low" in str(err) or str(err).endswith("the limit is too low"))
print(sys.getrecursionlimit())
