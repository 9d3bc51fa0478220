s = ("abc"
     "def"
     'ghi')
print(s, len(s))
t = "x" "y" f"{1+1}" "z"
print(t)
long = "a" \
    "b"
print(long)
