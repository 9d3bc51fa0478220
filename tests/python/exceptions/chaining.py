try:
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise ValueError("converted") from e
except ValueError as e:
    print(e, type(e.__cause__).__name__, e.__suppress_context__)
try:
    try:
        {}["k"]
    except KeyError:
        raise RuntimeError("during")
except RuntimeError as e:
    print(e, type(e.__context__).__name__, e.__cause__)
try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise TypeError("no ctx") from None
except TypeError as e:
    print(e, e.__cause__, e.__suppress_context__)
def reraiser():
    try:
        raise KeyError("orig")
    except KeyError:
        raise
try:
    reraiser()
except KeyError as e:
    print("reraised", e)
