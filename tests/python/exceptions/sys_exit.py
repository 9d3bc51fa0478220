import sys
print("start")
try:
    sys.exit(3)
except SystemExit as e:
    print("caught exit", e.code)
print("continuing")
sys.exit(7)
