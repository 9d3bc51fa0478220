b = b"hello"
print(b, b[0], b[1:3], len(b), b + b" world", b * 2, b.upper(), list(b"ab"))
print(b.decode(), "héllo".encode(), "héllo".encode("utf-8").decode("utf-8"), bytes([65, 66]), bytes(3))
ba = bytearray(b"abc")
ba[0] = 65
ba.append(68)
print(ba, bytes(ba), ba.decode(), b"a" in b"abc", b"x\x00\xff", b.hex(), bytes.fromhex("4142"))
print(b"a,b,c".split(b","), b" x ".strip(), b"abc".find(b"c"), b"abc" == b"abc", b"abc" < b"abd")
