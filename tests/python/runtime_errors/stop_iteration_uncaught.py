print('start')
next(iter([]))
