for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print(' d', repr(v), format(v, ' d'))
    except (ValueError, TypeError) as e:
        print(' d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('08d', repr(v), format(v, '08d'))
    except (ValueError, TypeError) as e:
        print('08d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print(',d', repr(v), format(v, ',d'))
    except (ValueError, TypeError) as e:
        print(',d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('_d', repr(v), format(v, '_d'))
    except (ValueError, TypeError) as e:
        print('_d', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('x', repr(v), format(v, 'x'))
    except (ValueError, TypeError) as e:
        print('x', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('X', repr(v), format(v, 'X'))
    except (ValueError, TypeError) as e:
        print('X', repr(v), type(e).__name__)
