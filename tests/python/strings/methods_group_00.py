for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'upper()', repr(s.upper()))
    print(repr(s), 'lower()', repr(s.lower()))
    print(repr(s), 'title()', repr(s.title()))
    print(repr(s), 'capitalize()', repr(s.capitalize()))
    print(repr(s), 'swapcase()', repr(s.swapcase()))
    print(repr(s), 'strip()', repr(s.strip()))
