print(sum([True, True, False]), True * 3, True / 2, True // 1, -True, ~True, True & False, True | False, True ^ True)
print(type(True & True).__name__, type(True + 1).__name__, 1 == 1.0 == True, hash(1) == hash(1.0), {1, 1.0, True})
print(max(True, 2), min(False, -1), abs(-True), int("1") is 1 or True, bool(0.0), bool(-0.0), bool(0j))
