class Matrix:
    def __init__(self, rows):
        self.rows = rows
    def __getitem__(self, idx):
        r, c = idx
        return self.rows[r][c]
    def __setitem__(self, idx, v):
        r, c = idx
        self.rows[r][c] = v
    def __len__(self):
        return len(self.rows)
    def __contains__(self, v):
        return any(v in row for row in self.rows)
    def __delitem__(self, r):
        del self.rows[r]
m = Matrix([[1, 2], [3, 4]])
m[0, 1] = 20
print(m[0, 1], m[1, 0], len(m), 4 in m, 5 in m)
del m[0]
print(m.rows, len(m))
class Sliceable:
    def __getitem__(self, s):
        return s
sl = Sliceable()
print(sl[1:2], sl[::2], sl[1:2, 3], sl[...])
