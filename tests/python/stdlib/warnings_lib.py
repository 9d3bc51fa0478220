# warnings is CPython's Lib/warnings.py (its pure-Python fallback: no _warnings yet)
import warnings

def f():
    warnings.warn("careful", DeprecationWarning, stacklevel=2)
    warnings.warn("plain")

with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    f()
    f()
    warnings.warn(UserWarning("an instance"))
    print([(str(x.message), x.category.__name__, x.lineno) for x in w])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("default")
    for _ in range(3):
        warnings.warn("once per location")
    print(len(w))
with warnings.catch_warnings():
    warnings.simplefilter("error")
    try:
        warnings.warn("boom", RuntimeWarning)
    except RuntimeWarning as e:
        print("raised", type(e).__name__, e)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    warnings.filterwarnings("ignore", message="skip.*")
    warnings.warn("skip me")
    warnings.warn("keep me")
    warnings.filterwarnings("ignore", category=ResourceWarning)
    warnings.warn("resource", ResourceWarning)
    print([str(x.message) for x in w])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    warnings.warn_explicit("explicit", UserWarning, "file.py", 12)
    print(w[0].filename, w[0].lineno, w[0].message)
print(warnings.formatwarning("m", UserWarning, "a.py", 3, "x = 1"), end="")
try:
    warnings.simplefilter("bogus")
except AssertionError as e:
    print("AssertionError", e)
try:
    warnings.warn("x", category=int)
except TypeError as e:
    print("TypeError", e)
