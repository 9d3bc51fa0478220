# yield in a comprehension's own scope is a SyntaxError from the symbol table, reported before the code
# generator's "'yield' outside function"; yield in the outermost iterable belongs to the enclosing function.
def g():
    return [x for x in [(yield 1)]]

gen = g()
print(next(gen), gen.send(5) if False else 'sent')

cases = ["def g(): [(yield x) for x in ()]", "def g(): [x for x in () if not (yield x)]",
         "def g(): [y for x in () for y in [(yield x)]]", "def g(): {(yield x) for x in ()}",
         "def g(): {(yield x): x for x in ()}", "def g(): {x: (yield x) for x in ()}",
         "def g(): ((yield x) for x in ())", "def g(): [(yield from x) for x in ()]",
         "class C: [(yield x) for x in ()]", "[(yield x) for x in ()]", "yield 1\n[(yield x) for x in ()]",
         "def g(): [x for x in [(yield 1)]]", "def g(): [lambda: (yield x) for x in ()]"]
for src in cases:
    try:
        compile(src, '<case>', 'exec')
        print(repr(src), 'compiles')
    except SyntaxError as e:
        print(repr(src), 'SyntaxError:', e.msg, e.lineno, e.offset)
