# faulthandler's dump, _locale's queries
import faulthandler, _locale, sys, posix as os
print(faulthandler.is_enabled())
faulthandler.enable()
print(faulthandler.is_enabled(), faulthandler.disable(), faulthandler.is_enabled())
import tempfile
w, path = tempfile.mkstemp()
def inner():
    faulthandler.dump_traceback(w, all_threads=False)
inner()
os.close(w)
with open(path) as f:
    text = f.read()
os.unlink(path)
print(text.replace(__file__, "FILE"))
try:
    faulthandler.dump_traceback_later(0)
except ValueError as e:
    print("ValueError", e)
faulthandler.cancel_dump_traceback_later()
conv = _locale.localeconv()
print(conv["decimal_point"], conv["grouping"], sorted(conv)[:3])
print(_locale.setlocale(_locale.LC_NUMERIC), _locale.nl_langinfo(_locale.RADIXCHAR))
try:
    _locale.setlocale(_locale.LC_ALL, "xx_XX.NOPE")
except _locale.Error as e:
    print("Error", e)
print(_locale.Error.__module__, _locale.CHAR_MAX, _locale.LC_ALL)
