print(str(), str(1), str([1]), str(b'a'), str(b'a', 'utf-8'), repr(''), repr(str(3.0)))
print(list(), tuple(), dict(), set(), frozenset(), bytes(), bytearray(), int(), float(), complex(), bool())
