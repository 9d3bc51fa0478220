from typing import List, Dict, Optional, Tuple, Any, Union, Callable
def f(xs: List[int], d: Dict[str, int], o: Optional[str] = None) -> Tuple[int, str]:
    return sum(xs) + sum(d.values()), o or "none"
print(f([1, 2], {"a": 3}))
x: int = 5
y: "str"
class P:
    name: str
    age: int = 0
print(x, P.age, P.__annotations__, __annotations__)
def g(a: int, b: "float" = 2.0) -> None:
    pass
print(g(1))
