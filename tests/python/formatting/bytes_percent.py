# bytes % args: %b and %s take buffers or __bytes__, %r/%a are ascii(), %c an int in range(256) or one byte,
# mapping keys are bytes; bytearray % gives bytearray; __rmod__ (CPython's _PyBytes_FormatEx)
def attempt(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:
        print(label, type(e).__name__, e)


class B:
    def __bytes__(self):
        return b"custom"


for t in (bytes, bytearray):
    f = t(b"%b|%s|%r|%a|%c|%c|%5b|%-5s|%.2b|%d%%")
    print(f % (b"x", bytearray(b"y"), "\xe9", b"q", 65, b"z", b"ab", memoryview(b"mv"), B(), 42))
    attempt("b-int", lambda: t(b"%b") % 1)
    attempt("s-str", lambda: t(b"%s") % "text")
    attempt("c-big", lambda: t(b"%c") % 256)
    attempt("c-long", lambda: t(b"%c") % b"ab")
    attempt("c-str", lambda: t(b"%c") % "a")
    attempt("extra", lambda: t(b"%b") % (b"a", b"b"))
    attempt("mapping", lambda: t(b"%(k)b-%(f(o)o)s") % {b"k": b"v", b"f(o)o": b"w"})
    attempt("star", lambda: t(b"%*.*b") % (5, 2, b"abc"))
    attempt("rmod", lambda: t(b"abc").__rmod__("%r"))
    attempt("obj-mod", lambda: object() % t(b"abc"))
    x = t(b"hi %b")
    y = x
    x %= b"there"
    print(repr(x), x is y, type(x).__name__)
