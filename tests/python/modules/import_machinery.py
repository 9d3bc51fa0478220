# CPython's import semantics: specs and module attributes, relative imports, namespace packages,
# sys.meta_path / sys.path_hooks, builtins.__import__, importlib.
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))


def rel(p):
    return None if p is None else os.path.relpath(p, here)


import pkg_rel
import pkg_rel.mod_a
print(pkg_rel.mod_a.A, pkg_rel.mod_a.mod_b.B, pkg_rel.mod_a.mod_c.C)
print(pkg_rel.pkg_inner.PARENT_TOP, pkg_rel.pkg_inner.mod_c.BEYOND)
print("bound:", "mod_b" in vars(pkg_rel), "pkg_inner" in vars(pkg_rel))
spec = pkg_rel.__spec__
print(spec.name, spec.parent, rel(spec.origin), [rel(p) for p in spec.submodule_search_locations], spec.has_location)
print(pkg_rel.__package__, [rel(p) for p in pkg_rel.__path__], rel(pkg_rel.__file__))
m = pkg_rel.mod_a
print(m.__name__, m.__package__, m.__spec__.name, m.__spec__.parent, rel(m.__file__), m.__spec__.submodule_search_locations)
print(m.__loader__.get_source("pkg_rel.mod_a").splitlines()[0])
print(m.__loader__.is_package("pkg_rel.mod_a"), pkg_rel.__loader__.is_package("pkg_rel"))
print(sys.__spec__.origin, sys.__spec__.name, sys.__package__, sys.__spec__.loader is sys.__loader__)
import marshal
print(marshal.__spec__.origin, hasattr(marshal, "__file__"), marshal.__loader__ is sys.__loader__)

# namespace package
import pkg_nsroot.nsp.deep.mod_leaf as leaf
import pkg_nsroot
print(leaf.LEAF, pkg_nsroot.__file__ if hasattr(pkg_nsroot, "__file__") else "no file",
      pkg_nsroot.__spec__.origin, [rel(p) for p in pkg_nsroot.__path__])
print(type(pkg_nsroot.__spec__.submodule_search_locations).__name__ in ("list", "_NamespacePath"))

# from pkg import sub binds pkg.sub
from pkg_rel.pkg_inner import mod_c
print(mod_c is sys.modules["pkg_rel.pkg_inner.mod_c"], pkg_rel.pkg_inner.mod_c is mod_c)

# errors
for stmt in ["import pkg_rel.nothing", "import pkg_rel.mod_b.x", "from pkg_rel import nothing",
             "from . import x", "import nothing_here"]:
    try:
        exec(stmt, {"__name__": "__main__"})
    except ImportError as e:
        print(type(e).__name__, str(e).split(" (")[0], e.name)
try:
    __import__("")
except ValueError as e:
    print("ValueError", e)
try:
    __import__("x", level=-1)
except ValueError as e:
    print("ValueError", e)

# a meta_path finder sees imports that are not in sys.modules
seen = []


class Recorder:
    def find_spec(self, name, path, target=None):
        seen.append((name, path is None))
        return None


class Greeter:
    def find_spec(self, name, path, target=None):
        if name != "virtual_greeting":
            return None
        import importlib.util
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.hello = "hello from " + module.__spec__.name


sys.meta_path.insert(0, Recorder())
sys.meta_path.append(Greeter())
import pkg_rel.mod_b
import mod_helper
import pkg_rel.mod_d
import virtual_greeting
print(seen[:3], virtual_greeting.hello, virtual_greeting.__loader__.__class__.__name__)
del sys.meta_path[0]

# sys.path_hooks and sys.path_importer_cache
calls = []


def hook(path):
    if not path.endswith("virtual_dir"):
        raise ImportError("not mine")
    calls.append(path)

    class Finder:
        def find_spec(self, name, target=None):
            import importlib.util
            if name == "from_hook":
                return importlib.util.spec_from_loader(name, Loader())
            return None
    return Finder()


class Loader:
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.value = 42


sys.path_hooks.insert(0, hook)
sys.path.append("/virtual_dir")
import from_hook
print(from_hook.value, calls, "/virtual_dir" in sys.path_importer_cache)

# builtins.__import__ replaced is honoured
import builtins
orig = builtins.__import__
log = []


def my_import(name, globals=None, locals=None, fromlist=(), level=0):
    log.append((name, fromlist, level))
    return orig(name, globals, locals, fromlist, level)


builtins.__import__ = my_import
import pkg_rel.mod_b
from pkg_rel import mod_b
builtins.__import__ = orig
print(log)

# importlib
import importlib
import importlib.util
import importlib.machinery
print(importlib.import_module("pkg_rel.mod_b").B, importlib.import_module(".pkg_inner", "pkg_rel").PARENT_TOP)
s = importlib.util.find_spec("pkg_rel.mod_a")
print(s.name, rel(s.origin), importlib.util.find_spec("no_such_module"))
print(importlib.machinery.PathFinder.find_spec("mod_helper", [here]).name)
m2 = importlib.util.module_from_spec(importlib.util.find_spec("mod_helper"))
s.loader.exec_module(m2) if False else None
print(type(m2).__name__, m2.__name__)
