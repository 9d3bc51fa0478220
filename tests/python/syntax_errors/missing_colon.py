print('never printed')
if True
    print(1)
