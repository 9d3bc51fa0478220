s = "naïve café 日本"
print(s, len(s), s.upper(), s[6:10], repr(s), s.encode("utf-8"), len(s.encode()))
print([c for c in "日本"], ord("日"), chr(26085), "é".encode("latin-1"), b"\xc3\xa9".decode())
print(ascii("日本"), "é".upper(), "Ω".lower(), "ünï".title())
