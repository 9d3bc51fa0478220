# bytes/bytearray split, rsplit, strip, join with any buffer; ASCII whitespace; hex separators; fromhex
# errors; bytes literals are ASCII; format() with a spec; b * 1 is b (CPython's bytes_methods.c)
def attempt(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, e)


for t in (bytes, bytearray):
    s = t(b"  a    b   c   ")
    for m in (-1, 0, 1, 2, 3):
        print(m, s.split(None, m), s.rsplit(None, m))
    print(t(b"a,b,,c").split(b","), t(b"a,b,,c").rsplit(memoryview(b","), 1), t(b"a\x1cb\x0bc").split())
    print(t(b"xyabcyx").strip(memoryview(b"xy")), t(b" \tab\n").strip(), t(b"abc").lstrip(b"a"), t(b"abc").rstrip(bytearray(b"c")))
    print(t(b".:").join([memoryview(b"ab"), bytearray(b"cd"), b"ef"]), t(b"").join(iter([])))
    attempt("split-str", lambda: t(b"a b").split(" "))
    attempt("split-int", lambda: t(b"a b").rsplit(32))
    attempt("split-empty", lambda: t(b"a b").split(b""))
    attempt("strip-str", lambda: t(b"a b").strip("a"))
    attempt("join-str", lambda: t(b",").join([b"a", "b"]))
    three = t(b"\xb9\x01\xef")
    print(three.hex(), three.hex(":"), three.hex(b"\x00"), three.hex("*", -2), three.hex(":", 2), three.hex(":", 0))
    for sep in ("", "xx", "\xff", b"\x80", None):
        attempt("hex-sep", lambda: three.hex(sep, 1))
    print(t.fromhex(" 1A\n2B\t30\x0b"))
    for data in ("12 x4 56", "12 3x 56", "12 3\xff 56", "a", "\x1c"):
        attempt("fromhex", lambda: t.fromhex(data))
    attempt("fromhex-none", lambda: t.fromhex())
    attempt("fromhex-bytes", lambda: t.fromhex(b"1b"))
    attempt("format", lambda: format(t(b"abc"), "s"))
    print(format(t(b"abc")), format(t(b"abc"), ""))
a = b"123abc"
print(a * 1 is a, 1 * a is a, a * 2 is a, type(type("S", (bytes,), {})(b"x") * 1).__name__)
attempt("repeat-big", lambda: b"ab" * (1 << 100))
attempt("literal", lambda: eval('b"\xe9"'))
print(eval(r'b"\xe9"'))
print(repr(bytearray(b"it's \"q\"")), repr(bytearray(b"it's")), bytes.__doc__.split("(")[0], bytearray.__doc__.split("(")[0])
