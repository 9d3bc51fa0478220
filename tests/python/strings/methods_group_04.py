for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'rpartition(",")', repr(s.rpartition(",")))
    print(repr(s), 'splitlines()', repr(s.splitlines()))
    print(repr(s), 'encode()', repr(s.encode()))
    print(repr(s), 'startswith("H")', repr(s.startswith("H")))
    print(repr(s), 'endswith("d")', repr(s.endswith("d")))
    print(repr(s), 'replace("l", "L")', repr(s.replace("l", "L")))
