class Matrix:
    def __init__(self, rows):
        self.rows = [list(r) for r in rows]
    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])
    def __matmul__(self, o):
        return Matrix([[sum(a * b for a, b in zip(r, c)) for c in zip(*o.rows)] for r in self.rows])
    def __add__(self, o):
        return Matrix([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(self.rows, o.rows)])
    def T(self):
        return Matrix(zip(*self.rows))
    def __eq__(self, o):
        return self.rows == o.rows
    def __repr__(self):
        return 'Matrix(' + repr(self.rows) + ')'
m = Matrix([[1, 2, 3], [4, 5, 6]])
print(m.shape, m.T(), m @ m.T(), m + m, m == Matrix([[1, 2, 3], [4, 5, 6]]), m.T().T() == m)
