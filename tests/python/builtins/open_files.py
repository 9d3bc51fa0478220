import os, tempfile
d = tempfile.mkdtemp() if hasattr(tempfile, "mkdtemp") else "."
path = os.path.join(d, "test_file.txt")
with open(path, "w") as f:
    f.write("line one\n")
    f.write("line two\n")
    print("third line", file=f)
with open(path) as f:
    print(repr(f.read()))
with open(path) as f:
    for line in f:
        print("->", line.rstrip())
with open(path, "a") as f:
    f.writelines(["x\n", "y\n"])
with open(path) as f:
    print(f.readlines(), f.closed)
print(f.closed)
with open(path, "rb") as f:
    print(f.read()[:8])
os.remove(path)
print(os.path.exists(path))
