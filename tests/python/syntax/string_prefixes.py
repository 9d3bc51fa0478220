print(r"\d\w", R"raw", b"bytes", B"B", rb"\x", f"{1}", F"{2}", rf"\{3}", u"unicode")
print(len(r"\n"), "\\n", "a" 'b' """c""")
print(f"{'quoted'}", f'{"dq"}', f"{{}}", f"{'a' 'b'}")
