print('never printed')
x = "abc
