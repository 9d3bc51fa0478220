for c in range(-20, 41, 10):
    f = c * 9 / 5 + 32
    print(f'{c:>4}C = {f:6.1f}F')
