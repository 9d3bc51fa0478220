for v in [0, 1, -1, 0.0, 0.1, "", "a", [], [0], (), (0,), {}, {0: 0}, set(), None, True, False, range(0), range(1)]:
    print(repr(v), bool(v), "yes" if v else "no")
class T:
    def __bool__(self):
        return False
class L:
    def __len__(self):
        return 0
print(bool(T()), bool(L()), not T(), [x for x in [T(), 1] if x])
