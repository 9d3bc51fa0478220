import sys
print("a", "b", sep="-", end="!\n")
print(1, 2, 3, sep="")
print("no newline", end="")
print()
print(*range(5), sep=", ")
print("x", file=sys.stdout, flush=True)
print(None, True, 1.0, [None])
