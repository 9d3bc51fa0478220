print(int("12"), float("1.5"), str(12), list("ab"), tuple([1]), set([1, 1]), dict([("a", 1)]), bool(""), bool("0"))
print(list({1: "a", 2: "b"}), list({1: "a"}.values()), tuple({3, 3}), str(1.0), str(-0.5), int(-0.9))
print(float(10), float(True), int(float("1e3")), complex(2), list(range(3)), list(b"AB"), bytes("hi", "ascii"))
print(repr(str(b"x")), str([1.5, "a"]), chr(ord("a") + 1), "".join(map(str, [1, 2, 3])))
