class P:
    def __init__(self, v):
        self.v = v
    def __eq__(self, o):
        if not isinstance(o, P):
            return NotImplemented
        return self.v == o.v
print(P(1) == P(1), P(1) != P(1), P(1) == P(2), P(1) != P(2), P(1) == 1, P(1) != 1, [P(1)].index(P(1)), P(2) in [P(1), P(2)])
