# Exact hash() values of str and bytes: only CPython-equal because the corpus runs CPython with
# PYTHONHASHSEED=0 (hash randomization off) and we implement its SipHash-1-3 with a zero key.
for s in ["", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "hello world", "héllo", "ÿ", "€", "中文", "😀",
          "a😀", "x" * 100, "é" * 33, "\x00", "\x00\x00"]:
    print(repr(s), hash(s))
for b in [b"", b"a", b"ab", b"abcdefgh", b"\x00", b"\xff\xfe", bytes(range(40))]:
    print(repr(b), hash(b))
print(hash("abc") == hash("ab" + "c"), hash(b"abc") == hash(bytes([97, 98, 99])))
print(hash(bytes(bytearray(b"abc"))) == hash(b"abc"), hash("latin") == hash("latin".encode().decode()))
print(hash(frozenset({"a", "b"})), hash(("a", "b")), hash(("é", b"x", 1)))
