import textwrap
print(textwrap.dedent("""
    indented
      more
    back
"""))
print(textwrap.indent("a\nb", "> "), textwrap.fill("the quick brown fox jumps over the lazy dog", 15))
print(textwrap.wrap("one two three four five six", 9))
