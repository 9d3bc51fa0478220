# \N without a name
x = "\N"
print(x)
