class Node:
    def __init__(self, v, l=None, r=None):
        self.v, self.l, self.r = v, l, r
def insert(t, v):
    if t is None:
        return Node(v)
    if v < t.v:
        t.l = insert(t.l, v)
    else:
        t.r = insert(t.r, v)
    return t
def inorder(t):
    return inorder(t.l) + [t.v] + inorder(t.r) if t else []
def height(t):
    return 1 + max(height(t.l), height(t.r)) if t else 0
root = None
for v in [50, 30, 70, 20, 40, 60, 80, 35]:
    root = insert(root, v)
print(inorder(root), height(root))
