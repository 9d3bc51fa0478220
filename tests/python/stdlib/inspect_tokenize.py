"""Lib's inspect (over _ast, the enum/types/functools stand-ins and our frames), tokenize/token (Lib's pure
tokenizer) and dis's import (opcode tables; our code objects are not CPython bytecode, so no dis.dis output here)."""
import inspect


def f(a, b=1, *c, d, **e) -> int:
    return a


print(inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.KEYWORD_ONLY.description)
sig = inspect.signature(f)
print(sig, list(sig.parameters), sig.return_annotation)
print(sig.bind(1, 2, 3, d=4, z=5).arguments)
print(inspect.signature(lambda x, /, y=2: None))
print(inspect.getsource(f), end='')
print(inspect.isfunction(f), inspect.isclass(int), inspect.ismodule(inspect), inspect.isgeneratorfunction(f))
print(inspect.getmodule(f).__name__)
frame = inspect.currentframe()
print(frame.f_lineno, frame.f_code.co_name)
print([fi.function for fi in inspect.stack()][:2])


class A:
    """Class doc."""

    def m(self, x):
        """Method doc."""


print([name for name, _ in inspect.getmembers(A, inspect.isfunction)], inspect.getdoc(A), inspect.getdoc(A.m))
print(inspect.getfile(f).endswith('.py'), inspect.signature(A.m), inspect.signature(A().m))

import io
import token
import tokenize

src = "def g(x):\n    return x + 1  # comment\n"
for t in tokenize.generate_tokens(io.StringIO(src).readline):
    print(token.tok_name[t.type], repr(t.string), t.start, t.end)
print(tokenize.untokenize(tokenize.generate_tokens(io.StringIO(src).readline)) == src)

import dis
print(dis.opname[100], dis.opmap['LOAD_CONST'], dis.hasconst[:1])
