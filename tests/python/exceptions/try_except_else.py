def check(v):
    try:
        n = int(v)
    except ValueError:
        return "bad"
    except TypeError:
        return "type"
    else:
        return n * 2
    finally:
        print("checked", repr(v))
print(check("21"), check("x"), check(None))
def multi(x):
    try:
        if x == 1:
            raise KeyError(x)
        if x == 2:
            raise IndexError(x)
        return "none"
    except (KeyError, IndexError) as e:
        return type(e).__name__
print([multi(i) for i in range(3)])
