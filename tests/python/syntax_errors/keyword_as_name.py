print('never printed')
class = 3
