for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('', repr(v), format(v, ''))
    except (ValueError, TypeError) as e:
        print('', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('d', repr(v), format(v, 'd'))
    except (ValueError, TypeError) as e:
        print('d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('5d', repr(v), format(v, '5d'))
    except (ValueError, TypeError) as e:
        print('5d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('<6d', repr(v), format(v, '<6d'))
    except (ValueError, TypeError) as e:
        print('<6d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('^8d', repr(v), format(v, '^8d'))
    except (ValueError, TypeError) as e:
        print('^8d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('+d', repr(v), format(v, '+d'))
    except (ValueError, TypeError) as e:
        print('+d', repr(v), type(e).__name__)
