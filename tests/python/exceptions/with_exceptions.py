class Tx:
    def __init__(self):
        self.log = []
    def __enter__(self):
        self.log.append("begin")
        return self
    def __exit__(self, t, v, tb):
        self.log.append("rollback" if t else "commit")
        return False
tx = Tx()
with tx:
    tx.log.append("work")
print(tx.log)
tx2 = Tx()
try:
    with tx2:
        raise ValueError("fail")
except ValueError:
    pass
print(tx2.log)
from contextlib import contextmanager, suppress
@contextmanager
def tag(name):
    print(f"<{name}>")
    try:
        yield name.upper()
    finally:
        print(f"</{name}>")
with tag("b") as t:
    print("content", t)
with suppress(ZeroDivisionError):
    1 / 0
print("suppressed ok")
