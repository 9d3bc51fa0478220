def describe(x):
    match x:
        case 0:
            return "zero"
        case 1 | 2:
            return "small"
        case int(n) if n < 0:
            return f"negative {n}"
        case [a, b]:
            return f"pair {a},{b}"
        case [first, *rest]:
            return f"list starting {first} (+{len(rest)})"
        case {"type": "point", "x": px, "y": py}:
            return f"point {px},{py}"
        case str() as s:
            return "string " + s
        case None:
            return "none"
        case _:
            return "other"
for v in [0, 2, -5, [1, 2], [1, 2, 3], {"type": "point", "x": 1, "y": 2}, "hi", None, 3.5]:
    print(describe(v))
