print('never printed')
def f():
print(1)
