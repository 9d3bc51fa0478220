for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('010.3f', repr(v), format(v, '010.3f'))
    except (ValueError, TypeError) as e:
        print('010.3f', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('+.2e', repr(v), format(v, '+.2e'))
    except (ValueError, TypeError) as e:
        print('+.2e', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('.0f', repr(v), format(v, '.0f'))
    except (ValueError, TypeError) as e:
        print('.0f', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('>+12,.2f', repr(v), format(v, '>+12,.2f'))
    except (ValueError, TypeError) as e:
        print('>+12,.2f', repr(v), type(e).__name__)
