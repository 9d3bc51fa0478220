for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'rfind("l")', repr(s.rfind("l")))
    print(repr(s), 'center(15, ".")', repr(s.center(15, ".")))
    print(repr(s), 'ljust(12, "_")', repr(s.ljust(12, "_")))
    print(repr(s), 'rjust(12)', repr(s.rjust(12)))
    print(repr(s), 'zfill(14)', repr(s.zfill(14)))
    print(repr(s), 'partition(" ")', repr(s.partition(" ")))
