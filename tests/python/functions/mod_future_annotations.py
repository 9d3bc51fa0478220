# PEP 563: from __future__ import annotations stores every annotation as its source text (CPython's unparse)
from __future__ import annotations

def f(a: int, b: list[str] = None, *args: tuple[int, ...], c: dict[str, "X"] | None = None, **kw: Undefined) -> Optional[int]:
    pass
for k, v in f.__annotations__.items():
    print(k, repr(v))

class C:
    x: int
    y: Callable[[int, str], bool] = None
    z: "quoted"
    w: a.b.c[1:2, ::3]
    v: (1 + 2) * 3 ** -x
    u: not a and b or c
    t: lambda: 0 if x else y
    s: [1, 2] | {1: 2} | {3}
    r: f(*a, k=1, **kw) < 3 <= 4
    q: (1,)
    p: ()
print(C.__annotations__)

def g(x: MissingName) -> AlsoMissing: ...
print(g.__annotations__)
x: 1 + 2
print(__annotations__)
