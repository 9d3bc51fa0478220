# The compiled-code cache: written under sys.pycache_prefix at the path importlib.util.cache_from_source
# names, used while the source is unchanged, ignored and rewritten when stale or corrupt, never written
# with sys.dont_write_bytecode.
import importlib
import importlib.util
import os
import sys
import tempfile

work = tempfile.mkdtemp()
prefix = os.path.join(work, "cache")
src_dir = os.path.join(work, "src")
os.mkdir(src_dir)
sys.pycache_prefix = prefix
sys.dont_write_bytecode = False
sys.path.insert(0, src_dir)
source = os.path.join(src_dir, "cached_mod.py")
with open(source, "w") as f:
    f.write("VALUE = 1\ndef f(x):\n    return [x * i for i in range(3)]\n")

cached = importlib.util.cache_from_source(source)
print(cached.startswith(prefix + os.sep), os.path.basename(cached).startswith("cached_mod."), cached.endswith(".pyc"))
print("before import:", os.path.exists(cached))
import cached_mod
print(cached_mod.VALUE, cached_mod.f(2), "written:", os.path.exists(cached))
print(cached_mod.__cached__ == cached)


def reimport():
    del sys.modules["cached_mod"]
    importlib.invalidate_caches()
    import cached_mod
    return cached_mod


# a hit gives the same code
m = reimport()
print("hit:", m.VALUE, m.f(3))

# stale: the source changed (size changes with it)
with open(source, "w") as f:
    f.write("VALUE = 22\ndef f(x):\n    return x\n")
m = reimport()
print("stale:", m.VALUE, m.f(5))
with open(cached, "rb") as f:
    data = f.read()
print("rewritten:", int.from_bytes(data[12:16], "little") == os.path.getsize(source))

# corrupt: a wrong magic number, then a truncated file
with open(cached, "wb") as f:
    f.write(b"\x00\x01\x02\x03" + data[4:])
m = reimport()
print("corrupt:", m.VALUE, m.f(6))
with open(cached, "wb") as f:
    f.write(data[:5])
m = reimport()
print("truncated:", m.VALUE, os.path.getsize(cached) > 16)

# sys.dont_write_bytecode: nothing written
os.remove(cached)
sys.dont_write_bytecode = True
m = reimport()
print("dont_write_bytecode:", m.VALUE, os.path.exists(cached))
sys.dont_write_bytecode = False

# a syntax error is reported, not cached
with open(os.path.join(src_dir, "broken_mod.py"), "w") as f:
    f.write("def f(:\n")
try:
    import broken_mod
except SyntaxError as e:
    print("SyntaxError", e.lineno, os.path.exists(importlib.util.cache_from_source(os.path.join(src_dir, "broken_mod.py"))))



def remove_tree(path):
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isdir(full):
            remove_tree(full)
        else:
            os.remove(full)
    os.rmdir(path)


remove_tree(work)
