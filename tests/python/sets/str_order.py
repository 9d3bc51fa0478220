# Sets of str iterate in CPython's order: str hashes are CPython's SipHash-1-3 (the corpus runs with
# PYTHONHASHSEED=0), over 1, 2 or 4 bytes per code point (PEP 393).
ascii_words = {"apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "kiwi", "lemon", "mango"}
print(ascii_words)
print(sorted(ascii_words) == sorted(list(ascii_words)), list(ascii_words)[:3])
latin1 = {"héllo", "café", "naïve", "über", "ñandú", "façade", "ÿ", "é", "¡hola!", "smörgåsbord"}
print(latin1)
cjk = {"中文", "日本語", "한국어", "漢字", "東京", "北京", "서울", "ひらがな", "カタカナ", "€uro"}
print(cjk)
emoji = {"😀", "🎉", "🐍", "a😀b", "🚀🚀", "x🐍", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🙂", "👍", "🔥"}
print(emoji)
mixed = ascii_words | latin1 | cjk | emoji
print(len(mixed), mixed)
print([w for w in mixed if w < "c"])
chars = set("the quick brown fox jumps over the lazy dog")
print(chars, "".join(chars))
print(set("ünïcödé strîng"), set("中文字符串"))
nums = {str(i) for i in range(40)}
print(nums)
keys = {f"key_{i}" for i in range(25)}
print(keys)
print(frozenset({"a", "b", "c", "d", "e"}), {"a", "b"} | {"c", "d", "ab", ""})
print(ascii_words & {"fig", "kiwi", "lemon", "zzz"}, ascii_words - {"apple", "date"}, ascii_words ^ {"apple", "new"})
