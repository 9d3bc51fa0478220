class A:
    x = 1
    items = []
class B(A):
    pass
class C(A):
    x = 2
print(A.x, B.x, C.x)
B.x = 5
print(A.x, B.x, C.x)
A.items.append('shared')
print(B.items, C.items, B.items is A.items)
del B.x
print(B.x)
