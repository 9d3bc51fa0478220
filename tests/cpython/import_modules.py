"""Import each module named in a file (one per line, '#' comments) in a fresh interpreter state
as far as possible, and print one line per module:

    OK name FILE          the module imported; FILE is where it came from (built-in or a path)
    FAIL name ExcType: message

then "IMPORTED n of m". Run by scripts/test-cpython --imports under our interpreter and CPython.
"""
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        names = [line.split("#", 1)[0].strip() for line in f]
    names = [n for n in names if n]
    ok = 0
    for name in names:
        try:
            module = __import__(name)
            for part in name.split(".")[1:]:
                module = getattr(module, part)
            origin = getattr(module, "__file__", None) or "built-in"
            print("OK", name, origin)
            ok += 1
        except BaseException as e:  # SystemExit, KeyboardInterrupt from a module's import count as failures too
            message = str(e).replace("\n", " ")[:160]
            print("FAIL", name, "%s: %s" % (type(e).__name__, message))
    print("IMPORTED %d of %d" % (ok, len(names)))


if __name__ == "__main__":
    main(sys.argv[1])
