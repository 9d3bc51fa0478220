for s in ["", "a", "Hello World", "  spaced  ", "MiXeD cAsE 123", "tab\tnew\nline", "a,b,,c", "123", "ünïcödé"]:
    print(repr(s), 'islower()', repr(s.islower()))
    print(repr(s), 'istitle()', repr(s.istitle()))
    print(repr(s), 'isalnum()', repr(s.isalnum()))
    print(repr(s), '__len__()', repr(s.__len__()))
    print(repr(s), 'count("l")', repr(s.count("l")))
    print(repr(s), 'find("o")', repr(s.find("o")))
