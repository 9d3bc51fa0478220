# re on bytes-like subjects other than bytes (bytearray, memoryview, array.array): matched as their bytes, and
# every piece returned (group, findall, split, sub) is bytes, as CPython's getslice; finditer's iterator works
# with next() and iter().
import array
import re

for subject in (b"a:b::c:::d", bytearray(b"a:b::c:::d"), memoryview(b"a:b::c:::d"), array.array("b", b"a:b::c:::d")):
    name = type(subject).__name__
    found = re.findall(b":+", subject)
    print(name, found, [type(x).__name__ for x in found])
    print(name, re.split(b":+", subject))
    out = re.sub(b":", b"-", subject)
    print(name, out, type(out).__name__)
    m = re.search(b"(b)(:+)", subject)
    print(name, m.group(0), m.group(1), m.groups(), type(m.group(2)).__name__, m.span(2))

whole = b"xyz"
print(re.match(b"xyz", whole).group() is whole)
print(re.fullmatch(b"x(y)z", bytearray(b"xyz")).group(1))

it = re.finditer(r"\s", "a b")
print(iter(it) is it, next(it).span())
try:
    next(it)
except StopIteration:
    print("StopIteration")
it = re.finditer(r".*", "asdf")
print(next(it).span(), next(it).span(), list(it))
print(type(re.finditer("a", "a")).__name__)

for bad in ("abc", 1.5):
    try:
        re.search(b"a", bad)
    except TypeError as e:
        print("TypeError:", e)
try:
    re.search("a", memoryview(b"a"))
except TypeError as e:
    print("TypeError:", e)
