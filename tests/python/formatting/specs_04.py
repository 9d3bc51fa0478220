for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('g', repr(v), format(v, 'g'))
    except (ValueError, TypeError) as e:
        print('g', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('.3g', repr(v), format(v, '.3g'))
    except (ValueError, TypeError) as e:
        print('.3g', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('G', repr(v), format(v, 'G'))
    except (ValueError, TypeError) as e:
        print('G', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('%', repr(v), format(v, '%'))
    except (ValueError, TypeError) as e:
        print('%', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('.1%', repr(v), format(v, '.1%'))
    except (ValueError, TypeError) as e:
        print('.1%', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('n', repr(v), format(v, 'n'))
    except (ValueError, TypeError) as e:
        print('n', repr(v), type(e).__name__)
