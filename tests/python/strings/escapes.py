print("tab:\t|", "nl:\\n", "quote:\"", 'single:\'', "uni:\u2603", "hex:\x41", "oct:\101", r"raw:\n\t")
print(len("\n"), len(r"\n"), repr("\x00\x7f"), repr("\u200b"), "a\
b")
print("""triple
quoted""", '''single
triple''')
print(repr("""a"b'c"""), repr('\\'), "\N{BULLET}")
