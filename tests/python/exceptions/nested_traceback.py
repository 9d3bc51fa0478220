print('start')
def a(n):
    if n == 0:
        raise IndexError("deep")
    a(n - 1)
a(5)
