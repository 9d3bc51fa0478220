import sys
print(sys.argv[0].endswith("sys_module.py"), type(sys.argv), sys.version_info[0], sys.version_info >= (3, 8))
print(sys.maxsize > 2 ** 31, sys.byteorder, "sys" in sys.modules, isinstance(sys.path, list), sys.getrecursionlimit())
sys.stdout.write("written\n")
print("to stderr", file=sys.stderr)
print(sys.platform.startswith("linux"))
