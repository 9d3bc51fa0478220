words = ["alpha", "beta", "gamma", "delta"]
csv = ",".join(words)
print(csv, csv.split(","), csv.split(",", 1), "|".join(w[::-1] for w in words))
lines = "l1\nl2\n\nl4\n"
print(lines.split("\n"), lines.splitlines(), lines.splitlines(True))
print("a  b\t c\n".split(), "".split(), " ".split(" "), "abc".split("b"))
