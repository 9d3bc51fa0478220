# bytes/bytearray methods beyond the basics: ASCII-only classes and case, Latin-1 str-equivalents, translate, hex(sep)
for b in (b"a,b,c", bytearray(b"a,b,c")):
    print(b.partition(b","), b.rpartition(b","), b.partition(b"x"))
    print(b.center(9, b"*"), b.ljust(7, b"-"), b.rjust(7), b.zfill(8))
    print(b.rfind(b","), b.rindex(b"a"), b.removeprefix(b"a,"), b.removesuffix(b",c"), b.rsplit(b",", 1))
print(b"a\tbc\td".expandtabs(4), b"  \x0bpad\t ".lstrip(), b" pad \xa0".rstrip(), b"xxpadxx".lstrip(b"x"))
print(b"one\ntwo\r\nthree\rfour".splitlines(), b"a\nb\n".splitlines(True), b"x\x85y\x1cz".splitlines())
print(b"hello wORLD 3x".title(), b"hello wORLD".capitalize(), b"aBc\xe9".swapcase(), bytearray(b"ab cd").title())
print(b"Title Case".istitle(), b"Not title".istitle(), b"ABC1".isupper(), b"abc\xc9".islower(), b" \t\n".isspace(), b"\xa0".isspace())
print(b"abc123".isalnum(), b"abc-".isalnum(), b"abc\x7f".isascii(), b"\x80".isascii(), b"".isspace())
table = bytes.maketrans(b"abc", b"xyz")
print(len(table), b"aabbcc".translate(table), b"abcdef".translate(None, b"bdf"), b"abc".translate(table, b"a"))
print(bytearray.maketrans(b"a", b"b")[97])
print(b"\x01\x02\x03\x04\x05".hex(), b"\x01\x02\x03\x04\x05".hex(":"), b"\x01\x02\x03\x04\x05".hex("-", 2), b"\x01\x02\x03\x04\x05".hex(" ", -2))
print(bytearray(b"abc").hex(b"|"))
try:
    b"abc".translate(b"short")
except ValueError as e:
    print("ValueError:", e)
