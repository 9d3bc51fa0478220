print('start')
class A: pass
A().missing
