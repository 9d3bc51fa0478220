# pow(a, b, m): negative moduli (the result takes m's sign), inverses modulo |m|, modulus 1, argument types.
for a, b, m in [(3, 3, -8), (-3, 3, 8), (5, 2, -8), (3, -1, -7), (-3, -1, 7), (-50, -1, -49), (5, -1, 1),
                (5, -1, -1), (2, -1001, 9), (10**30 + 7, -3, -(10**20 + 39)), (7, 0, 13), (0, 5, -3)]:
    print(a, b, m, pow(a, b, m))
for args in [(2, -1, 4), (2, 3, 0), (2.0, 3, 5), (2, 3, 5.0), ("2", 3, 5)]:
    try:
        print(pow(*args))
    except (ValueError, TypeError) as e:
        print(type(e).__name__ + ":", e)
