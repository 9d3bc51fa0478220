# bytes/bytearray.replace (empty old, count) and the TypeError of a missing required argument
for t in (bytes, bytearray):
    s = t(b"abc")
    print(s.replace(b"", b"-"), s.replace(b"", b"-", 2), s.replace(b"b", b"XY"), t(b"aXbXc").replace(b"X", b"", 1))
    print(s.replace(b"", b""), t(b"").replace(b"", b"z"), s.replace(b"abc", b""), s.replace(bytearray(b"a"), b"A", -1))
    for name in ["partition", "rpartition", "center", "ljust", "rjust", "zfill", "rfind", "rindex", "removeprefix",
                 "removesuffix", "find", "index"]:
        try:
            getattr(s, name)()
        except TypeError as e:
            print(name, e)
