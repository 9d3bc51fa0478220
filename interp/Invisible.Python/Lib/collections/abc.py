# Stand-in for CPython's Lib/collections/abc.py until _collections_abc runs under us (see Import/StandIns.cs).
from typing import *
Iterable = Iterator = Sequence = Mapping = MutableMapping = Hashable = Sized = Callable = object
