# Invalid escape sequences: CPython 3.11 keeps them and warns once per literal (DeprecationWarning at the
# literal's line); an error filter turns the warning into a SyntaxError there. Octal escapes above 0o377
# are invalid too (in bytes they keep their low 8 bits).
import warnings

with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always", category=DeprecationWarning)
    print(ascii(eval(r"'\d\z'")), eval(r"b'\q'"), ascii(eval(r"'\407'")), eval(r"b'\407'"))
    eval("'''\n\\z'''")
    eval(r"'\N{LATIN SMALL LETTER E WITH ACUTE}\n\x41'")
for x in w:
    print(x.category.__name__, str(x.message), x.filename, x.lineno)

with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("error", category=DeprecationWarning)
    for src in ("'''\n\\z'''", "x = 1\ny = b'\\777'"):
        try:
            compile(src, "<src>", "exec")
        except SyntaxError as e:
            print("SyntaxError:", e.msg, e.filename, e.lineno, e.offset)
print(len(w))
print(eval(r"r'\d'"), eval(r"'\x41\101\u0041'"))
