import math
for n in [1, 12, 123, 1234, 12345, 123456, 1234567]:
    print(f'{n:>9,} {n:>10.2e} {math.log10(n):8.4f} {n ** 0.5:10.3f} {n:#x}')
