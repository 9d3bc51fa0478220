for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('#x', repr(v), format(v, '#x'))
    except (ValueError, TypeError) as e:
        print('#x', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('o', repr(v), format(v, 'o'))
    except (ValueError, TypeError) as e:
        print('o', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('#o', repr(v), format(v, '#o'))
    except (ValueError, TypeError) as e:
        print('#o', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('b', repr(v), format(v, 'b'))
    except (ValueError, TypeError) as e:
        print('b', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('#b', repr(v), format(v, '#b'))
    except (ValueError, TypeError) as e:
        print('#b', repr(v), type(e).__name__)
for v in [0, 42, -17, 65, 3.14159, -2.5, 1e-7, 123456789.5, 0.5, 2**70, True, 1.0, 100]:
    try:
        print('c', repr(v), format(v, 'c'))
    except (ValueError, TypeError) as e:
        print('c', repr(v), type(e).__name__)
