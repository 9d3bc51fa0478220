# a \u escape with a non-hex digit
x = "ab\u12g4"
print(x)
