# textwrap is CPython's Lib/textwrap.py (over our re stand-in and _sre)
import textwrap
print(textwrap.fill("The quick brown fox jumps over the lazy dog " * 3, width=30))
print(textwrap.wrap("hello world foo bar", 7))
print(textwrap.wrap("a-very-long-hyphenated-word and more", 10))
print(textwrap.dedent("""
    a
      b
    c
"""))
print(textwrap.indent("a\nb\n\nc", "> "))
print(textwrap.indent("a\nb\n\nc", "+ ", lambda line: True))
print(textwrap.shorten("Hello  world!  How are you?", width=15))
print(textwrap.shorten("Hello world", width=5, placeholder="..."))
w = textwrap.TextWrapper(width=20, initial_indent="* ", subsequent_indent="  ", break_long_words=True)
print(w.fill("supercalifragilisticexpialidocious is a long word indeed"))
w = textwrap.TextWrapper(width=12, max_lines=2, expand_tabs=True, tabsize=4, drop_whitespace=False)
print(w.wrap("one\ttwo three four five six"))
print(textwrap.fill("End. Of sentence. Two spaces", width=40, fix_sentence_endings=True))
try:
    textwrap.TextWrapper(width=0).wrap("x")
except ValueError as e:
    print("ValueError", e)
