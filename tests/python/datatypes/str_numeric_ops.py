print("5" * 3, [0] * 3, (1, 2) * 2, 3 * "ab")
try:
    "5" + 5
except TypeError as e:
    print(e)
try:
    [1] + (2,)
except TypeError as e:
    print(e)
try:
    "a" * 2.5
except TypeError as e:
    print(e)
try:
    1 < "a"
except TypeError as e:
    print(e)
try:
    len(5)
except TypeError as e:
    print(e)
try:
    5()
except TypeError as e:
    print(e)
try:
    [][0]
except IndexError as e:
    print(e)
try:
    (1, 2)[5]
except IndexError as e:
    print(e)
try:
    "abc"[10]
except IndexError as e:
    print(e)
try:
    {}.pop("x")
except KeyError as e:
    print(repr(e))
