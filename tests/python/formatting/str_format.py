print("{} {} {}".format(1, "a", [1]))
print("{0} {1} {0}".format("x", "y"), "{a}-{b}".format(a=1, b=2))
print("{:>8}|{:<8}|{:^8}|".format("r", "l", "c"), "{:08.3f}".format(3.14159))
print("{0[0]} {0[1]} {1[k]}".format([10, 20], {"k": "v"}))
class P:
    x = 5
print("{0.x}".format(P()), "{!r}".format("s"), "{:,}".format(1234567), "{{}}".format())
print("{:+.2e}".format(-12345.6789), "{:#b}".format(10), "{:c}".format(65), "{:%}".format(0.5))
print(format(3.5, ".3f"), format(255, "x"), format("s", ">3"), format(12, ""))
