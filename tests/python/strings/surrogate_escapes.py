# Lone surrogates from escapes, chr, %c and str.translate are one code unit each (never a crash).
s = "\ud800"
print(len(s), hex(ord(s)))
t = "a\udc00b"
print(len(t), [hex(ord(c)) for c in t])
print(("%c" % 0xd801) == chr(0xd801), len("%c" % 0xdfff))
print("abc".translate({97: 0xd800}) == "\ud800bc")
print("\N{BULLET}" == "\u2022", ascii("x\ud801"))
try:
    "abc".translate({97: 0x110000})
except ValueError as e:
    print("ValueError:", e)
