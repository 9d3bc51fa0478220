print('start')
def r(): r()
r()
