def pascal(n):
    row = [1]
    rows = []
    for _ in range(n):
        rows.append(row)
        row = [a + b for a, b in zip([0] + row, row + [0])]
    return rows
for r in pascal(7):
    print(" ".join(map(str, r)).center(30))
