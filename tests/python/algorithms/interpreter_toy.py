def evaluate(tokens):
    def expr(i):
        v, i = term(i)
        while i < len(tokens) and tokens[i] in "+-":
            op = tokens[i]
            r, i = term(i + 1)
            v = v + r if op == "+" else v - r
        return v, i
    def term(i):
        v, i = factor(i)
        while i < len(tokens) and tokens[i] in "*/":
            op = tokens[i]
            r, i = factor(i + 1)
            v = v * r if op == "*" else v / r
        return v, i
    def factor(i):
        if tokens[i] == "(":
            v, i = expr(i + 1)
            return v, i + 1
        return float(tokens[i]), i + 1
    return expr(0)[0]
import re
for s in ["1 + 2 * 3", "(1 + 2) * 3", "10 / 4 - 1", "2 * (3 + 4) * 5"]:
    print(s, "=", evaluate(re.findall(r"\d+\.?\d*|[-+*/()]", s)))
