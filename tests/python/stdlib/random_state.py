# _random.Random's getstate/setstate and getrandbits' argument rules, as CPython's C module.
import _random
import random

r = random.Random(1234567)
print(r.getrandbits(100))
state = r.getstate()
first = [r.random() for _ in range(3)]
r.setstate(state)
print(first == [r.random() for _ in range(3)], len(state[1]), state[0])

raw = _random.Random(5)
words = raw.getstate()
print(type(words).__name__, len(words), words[-1])
for bad in ([1] * 625, (1,) * 624, (1,) * 624 + (625,), (1,) * 624 + (-1,), (-1,) + (1,) * 624,
            ("a",) + (1,) * 624):
    try:
        raw.setstate(bad)
        print("accepted")
    except Exception as e:
        print(type(e).__name__, e)
raw.setstate((2 ** 32 + 7,) + words[1:])
print(raw.getstate()[0])
for args in ((), (1, 2), (-1,), (10.1,)):
    try:
        raw.getrandbits(*args)
    except Exception as e:
        print(type(e).__name__, e)
