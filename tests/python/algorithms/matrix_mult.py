def matmul(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]
A = [[1, 2], [3, 4]]
B = [[5, 6], [7, 8]]
print(matmul(A, B), matmul(A, [[1, 0], [0, 1]]))
def identity(n):
    return [[int(i == j) for j in range(n)] for i in range(n)]
print(identity(3))
