# a \U escape beyond U+10FFFF
x = "\U00110000"
print(x)
