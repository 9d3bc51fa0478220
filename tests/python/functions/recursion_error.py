import sys
def deep(n):
    return deep(n + 1)
try:
    deep(0)
except RecursionError as e:
    print("RecursionError caught:", "maximum recursion depth" in str(e))
sys.setrecursionlimit(3000)
def count(n):
    return 0 if n == 0 else 1 + count(n - 1)
print(count(2500))
