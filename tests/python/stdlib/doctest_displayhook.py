# doctest runs its examples through compile(..., "single") and sys.displayhook; Lib's dataclasses is used as is.
import sys, io, doctest, dataclasses


def add(a, b):
    """
    >>> add(2, 3)
    5
    >>> add('a', 'b')
    'ab'
    >>> add(1, 1)
    3
    >>> [add(i, i) for i in range(3)]
    [0, 2, 4]
    """
    return a + b


saved = sys.stdout
sys.stdout = captured = io.StringIO()
exec(compile("6 * 7", "<single>", "single"))
exec(compile("None", "<single>", "single"))
sys.stdout = saved
print("single mode wrote", repr(captured.getvalue()))

seen = []
sys.displayhook = seen.append
exec(compile("'via hook'", "<single>", "single"))
sys.displayhook = sys.__displayhook__
print("displayhook got", seen)

test = doctest.DocTestParser().get_doctest(add.__doc__, {"add": add}, "add", "<example>", 0)
runner = doctest.DocTestRunner()
runner.run(test)
print(runner.summarize())


@dataclasses.dataclass(order=True)
class Point:
    x: int
    y: int = 0


print(Point(1) < Point(1, 2), dataclasses.astuple(Point(3, 4)), dataclasses.__name__)

