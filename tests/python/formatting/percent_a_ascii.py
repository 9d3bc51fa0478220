# printf-style %a is ascii() of the value (non-ASCII escaped), %r its repr, with width and precision.
print('%a|%5a|%.3a|%r' % ('Âµ', 'é', 'ü€', 'µ'))
print('%a %a %a' % (1, ['ü', b'\xff'], {'k': 'ℕ'}))
print('%-8a|' % 'ß')
print(b'%a' % 'é', b'%a' % 3)
