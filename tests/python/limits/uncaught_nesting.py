# An uncaught "too many nested parentheses" from exec(): a SyntaxError traceback, status 1.
print('before')
exec('x = ' + '(' * 1000000 + '1' + ')' * 1000000)
print('not reached')
