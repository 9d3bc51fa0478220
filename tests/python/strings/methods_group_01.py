for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'split()', repr(s.split()))
    print(repr(s), 'split(",")', repr(s.split(",")))
    print(repr(s), 'isdigit()', repr(s.isdigit()))
    print(repr(s), 'isalpha()', repr(s.isalpha()))
    print(repr(s), 'isspace()', repr(s.isspace()))
    print(repr(s), 'isupper()', repr(s.isupper()))
