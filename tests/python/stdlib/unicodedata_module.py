# unicodedata: CPython 3.11's database (Unicode 14.0.0) and its normalization forms
import unicodedata as u

print(u.unidata_version, u.ucd_3_2_0.unidata_version, type(u.ucd_3_2_0).__name__)
for ch in ["A", "é", "\u0301", "½", "٣", "\u2028", "€", "\uac01", "\u4e00", "😀", "\U00017000", "\x00", "\ue000", "\U000e0001", "\uffff"]:
    print(hex(ord(ch)), u.category(ch), u.bidirectional(ch), u.combining(ch), u.east_asian_width(ch), u.mirrored(ch),
          repr(u.decomposition(ch)), u.name(ch, None), u.decimal(ch, None), u.digit(ch, None), u.numeric(ch, None))
for name in ["SNOWMAN", "latin small letter a", "HANGUL SYLLABLE GAG", "CJK UNIFIED IDEOGRAPH-4E00", "KHITAN SMALL SCRIPT CHARACTER-18B00",
             "GRINNING FACE"]:
    print(name, hex(ord(u.lookup(name))))
for s in ["é", "e\u0301", "Å", "ﬁ", "①", "\uac01", "\u1100\u1161\u11a8", "a\u0323\u0307", "q\u0307\u0323", "\u1e9b\u0323", "x"]:
    print(ascii(s), [ascii(u.normalize(f, s)) for f in ("NFC", "NFD", "NFKC", "NFKD")],
          [u.is_normalized(f, s) for f in ("NFC", "NFD", "NFKC", "NFKD")])
print(ascii("\N{EM DASH}\N{latin small letter e with acute}"), ascii("\u2603".encode("ascii", "namereplace")))
print(ascii(b"\\N{SNOWMAN}".decode("unicode_escape")))

def err(f, *a):
    try:
        print("ok", ascii(f(*a)))
    except Exception as e:
        print(type(e).__name__ + ":", e)

err(u.category, "ab")
err(u.category, 1)
err(u.decimal, "a")
err(u.digit, "a")
err(u.numeric, "a")
err(u.name, "\x00")
err(u.lookup, "xyzzy")
err(u.lookup, "a" * 300)
err(u.normalize, "X", "a")
err(u.normalize, "NFC", 1)
err(u.is_normalized, "NFX", "a")
print(u.ucd_3_2_0.category("A"), u.ucd_3_2_0.normalize("NFC", "e\u0301") == "é")
