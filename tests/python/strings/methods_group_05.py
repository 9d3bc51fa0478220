for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'expandtabs(4)', repr(s.expandtabs(4)))
    print(repr(s), 'casefold()', repr(s.casefold()))
    print(repr(s), 'lstrip("a ")', repr(s.lstrip("a ")))
    print(repr(s), 'rstrip(" ")', repr(s.rstrip(" ")))
