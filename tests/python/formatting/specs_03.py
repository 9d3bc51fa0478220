for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('e', repr(v), format(v, 'e'))
    except (ValueError, TypeError) as e:
        print('e', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('E', repr(v), format(v, 'E'))
    except (ValueError, TypeError) as e:
        print('E', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('f', repr(v), format(v, 'f'))
    except (ValueError, TypeError) as e:
        print('f', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('.3f', repr(v), format(v, '.3f'))
    except (ValueError, TypeError) as e:
        print('.3f', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('10.2f', repr(v), format(v, '10.2f'))
    except (ValueError, TypeError) as e:
        print('10.2f', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('<10.1f', repr(v), format(v, '<10.1f'))
    except (ValueError, TypeError) as e:
        print('<10.1f', repr(v), type(e).__name__)
