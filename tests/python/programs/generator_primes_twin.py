def primes():
    yield 2
    found = [2]
    n = 3
    while True:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            yield n
        n += 2
def twins(limit):
    it = primes()
    prev = next(it)
    for p in it:
        if p > limit:
            return
        if p - prev == 2:
            yield prev, p
        prev = p
print(list(twins(200)))
