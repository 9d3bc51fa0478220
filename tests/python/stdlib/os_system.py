# os.system: the wait status of /bin/sh -c (the child writes to a file: the corpus runs in-process, so the child's
# descriptor 1 is not the captured stdout), str/bytes/keyword command, CPython's argument errors.
import os
import tempfile

with tempfile.TemporaryDirectory() as d:
    r = os.system("echo child > '%s/out'; exit 3" % d)
    with open(os.path.join(d, "out")) as f:
        print(f.read().strip(), r, os.waitstatus_to_exitcode(r))
print(os.system(b"true"))
for args, kw in [((), {}), (("a", "b"), {}), ((), {"x": 1}), ((1,), {}), (("a\0b",), {})]:
    try:
        os.system(*args, **kw)
    except Exception as e:
        print(type(e).__name__, e)
print(os.system(command="exit 1"))
