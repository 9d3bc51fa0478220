x = 10
print(eval("x * 2 + 1"), eval("[i for i in range(3)]"), eval("max(a, b)", {"a": 1, "b": 5}))
exec("y = x + 5")
print(y)
ns = {}
exec("def f(n):\n    return n * 3\nz = f(4)", ns)
print(ns["z"], ns["f"](2))
code = compile("1 + 2", "<expr>", "eval")
print(eval(code))
try:
    eval("1 +")
except SyntaxError as e:
    print("SyntaxError", type(e).__name__)
