# _tracemalloc as CPython has it without -X tracemalloc (our objects live on the .NET heap: nothing is traced),
# through Lib's tracemalloc: start/stop, limits and their checks, empty snapshots.
import tracemalloc
import _tracemalloc

print(tracemalloc.is_tracing(), tracemalloc.get_traceback_limit(), tracemalloc.get_traced_memory())
print(_tracemalloc._get_traces(), _tracemalloc._get_object_traceback(object()))
for bad in (0, 70000, "x"):
    try:
        tracemalloc.start(bad)
    except Exception as e:
        print(type(e).__name__, e)
try:
    _tracemalloc.start(1, 2)
except TypeError as e:
    print("TypeError", e)
tracemalloc.start(5)
print(tracemalloc.is_tracing(), tracemalloc.get_traceback_limit())
tracemalloc.clear_traces()
tracemalloc.reset_peak()
tracemalloc.stop()
print(tracemalloc.is_tracing(), tracemalloc.get_traceback_limit())
try:
    tracemalloc.take_snapshot()
except RuntimeError as e:
    print("RuntimeError", e)
print(tracemalloc.Filter(True, "x.py").filename_pattern)
