result = []
for i in range(4):
    for j in range(4):
        if j > i:
            break
        if (i + j) % 2:
            continue
        result.append((i, j))
print(result)
found = None
for i in range(2, 50):
    for j in range(2, i):
        if i % j == 0:
            break
    else:
        found = i
print("last prime", found)
primes = [p for p in range(2, 60) if all(p % d for d in range(2, p))]
print(primes)
