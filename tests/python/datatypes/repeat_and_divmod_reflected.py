# int * bytes repeats as bytes * int does; divmod() follows the binary-operator protocol
# (__divmod__, then the other operand's __rdivmod__, a subclass's reflected method first).
print(10 * b'\0' == b'\0' * 10, 3 * bytearray(b'ab'), 0 * b'xy', -2 * b'z')

class A:
    def __divmod__(self, o): return ('divmod', o)
    def __rdivmod__(self, o): return ('rdivmod', o)

print(divmod(5, A()), divmod(A(), 5))

class Sub(int):
    def __rdivmod__(self, o): return ('sub first', o)

print(divmod(7, Sub(2)), divmod(Sub(7), 2))

class NoDivmod:
    def __floordiv__(self, o): return 1
    def __mod__(self, o): return 2

for args in [(NoDivmod(), 3), (3, NoDivmod())]:
    try:
        print(divmod(*args))
    except TypeError as e:
        print('TypeError:', e)

class Refuses:
    def __divmod__(self, o): return NotImplemented
    def __rdivmod__(self, o): return NotImplemented

try:
    divmod(Refuses(), 1)
except TypeError as e:
    print('TypeError:', e)
