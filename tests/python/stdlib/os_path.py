import os.path
import os
print(os.path.join("a", "b", "c.txt"), os.path.join("/abs", "x"), os.path.basename("/a/b/c.txt"), os.path.dirname("/a/b/c.txt"))
print(os.path.splitext("archive.tar.gz"), os.path.splitext(".bashrc"), os.path.split("/x/y"), os.path.normpath("a/./b/../c"))
print(os.path.isabs("/x"), os.path.isabs("x"), os.path.exists(__file__), os.path.isfile(__file__), os.path.isdir(os.path.dirname(os.path.abspath(__file__))))
print(os.sep, os.name, type(os.environ).__name__ in ("dict", "_Environ"), os.getcwd() == os.path.abspath("."))
