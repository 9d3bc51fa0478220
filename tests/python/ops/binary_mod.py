try:
    print('7', '%', '7', repr((7) % (7)))
except Exception as e:
    print('7', '%', '7', type(e).__name__, e)
try:
    print('7', '%', '-3', repr((7) % (-3)))
except Exception as e:
    print('7', '%', '-3', type(e).__name__, e)
try:
    print('7', '%', '0', repr((7) % (0)))
except Exception as e:
    print('7', '%', '0', type(e).__name__, e)
try:
    print('7', '%', '2**65', repr((7) % (2**65)))
except Exception as e:
    print('7', '%', '2**65', type(e).__name__, e)
try:
    print('-3', '%', '7', repr((-3) % (7)))
except Exception as e:
    print('-3', '%', '7', type(e).__name__, e)
try:
    print('-3', '%', '-3', repr((-3) % (-3)))
except Exception as e:
    print('-3', '%', '-3', type(e).__name__, e)
try:
    print('-3', '%', '0', repr((-3) % (0)))
except Exception as e:
    print('-3', '%', '0', type(e).__name__, e)
try:
    print('-3', '%', '2**65', repr((-3) % (2**65)))
except Exception as e:
    print('-3', '%', '2**65', type(e).__name__, e)
try:
    print('0', '%', '7', repr((0) % (7)))
except Exception as e:
    print('0', '%', '7', type(e).__name__, e)
try:
    print('0', '%', '-3', repr((0) % (-3)))
except Exception as e:
    print('0', '%', '-3', type(e).__name__, e)
try:
    print('0', '%', '0', repr((0) % (0)))
except Exception as e:
    print('0', '%', '0', type(e).__name__, e)
try:
    print('0', '%', '2**65', repr((0) % (2**65)))
except Exception as e:
    print('0', '%', '2**65', type(e).__name__, e)
try:
    print('2**65', '%', '7', repr((2**65) % (7)))
except Exception as e:
    print('2**65', '%', '7', type(e).__name__, e)
try:
    print('2**65', '%', '-3', repr((2**65) % (-3)))
except Exception as e:
    print('2**65', '%', '-3', type(e).__name__, e)
try:
    print('2**65', '%', '0', repr((2**65) % (0)))
except Exception as e:
    print('2**65', '%', '0', type(e).__name__, e)
try:
    print('2**65', '%', '2**65', repr((2**65) % (2**65)))
except Exception as e:
    print('2**65', '%', '2**65', type(e).__name__, e)
try:
    print('7', '%', '2.5', repr((7) % (2.5)))
except Exception as e:
    print('7', '%', '2.5', type(e).__name__, e)
try:
    print('7', '%', '-0.5', repr((7) % (-0.5)))
except Exception as e:
    print('7', '%', '-0.5', type(e).__name__, e)
try:
    print('7', '%', '1e10', repr((7) % (1e10)))
except Exception as e:
    print('7', '%', '1e10', type(e).__name__, e)
try:
    print('-3', '%', '2.5', repr((-3) % (2.5)))
except Exception as e:
    print('-3', '%', '2.5', type(e).__name__, e)
try:
    print('-3', '%', '-0.5', repr((-3) % (-0.5)))
except Exception as e:
    print('-3', '%', '-0.5', type(e).__name__, e)
try:
    print('-3', '%', '1e10', repr((-3) % (1e10)))
except Exception as e:
    print('-3', '%', '1e10', type(e).__name__, e)
try:
    print('0', '%', '2.5', repr((0) % (2.5)))
except Exception as e:
    print('0', '%', '2.5', type(e).__name__, e)
try:
    print('0', '%', '-0.5', repr((0) % (-0.5)))
except Exception as e:
    print('0', '%', '-0.5', type(e).__name__, e)
try:
    print('0', '%', '1e10', repr((0) % (1e10)))
except Exception as e:
    print('0', '%', '1e10', type(e).__name__, e)
try:
    print('2**65', '%', '2.5', repr((2**65) % (2.5)))
except Exception as e:
    print('2**65', '%', '2.5', type(e).__name__, e)
try:
    print('2**65', '%', '-0.5', repr((2**65) % (-0.5)))
except Exception as e:
    print('2**65', '%', '-0.5', type(e).__name__, e)
try:
    print('2**65', '%', '1e10', repr((2**65) % (1e10)))
except Exception as e:
    print('2**65', '%', '1e10', type(e).__name__, e)
try:
    print('7', '%', 'True', repr((7) % (True)))
except Exception as e:
    print('7', '%', 'True', type(e).__name__, e)
try:
    print('7', '%', 'False', repr((7) % (False)))
except Exception as e:
    print('7', '%', 'False', type(e).__name__, e)
try:
    print('-3', '%', 'True', repr((-3) % (True)))
except Exception as e:
    print('-3', '%', 'True', type(e).__name__, e)
try:
    print('-3', '%', 'False', repr((-3) % (False)))
except Exception as e:
    print('-3', '%', 'False', type(e).__name__, e)
try:
    print('0', '%', 'True', repr((0) % (True)))
except Exception as e:
    print('0', '%', 'True', type(e).__name__, e)
try:
    print('0', '%', 'False', repr((0) % (False)))
except Exception as e:
    print('0', '%', 'False', type(e).__name__, e)
try:
    print('2**65', '%', 'True', repr((2**65) % (True)))
except Exception as e:
    print('2**65', '%', 'True', type(e).__name__, e)
try:
    print('2**65', '%', 'False', repr((2**65) % (False)))
except Exception as e:
    print('2**65', '%', 'False', type(e).__name__, e)
try:
    print('7', '%', '(1+2j)', repr((7) % ((1+2j))))
except Exception as e:
    print('7', '%', '(1+2j)', type(e).__name__, e)
try:
    print('-3', '%', '(1+2j)', repr((-3) % ((1+2j))))
except Exception as e:
    print('-3', '%', '(1+2j)', type(e).__name__, e)
try:
    print('0', '%', '(1+2j)', repr((0) % ((1+2j))))
except Exception as e:
    print('0', '%', '(1+2j)', type(e).__name__, e)
try:
    print('2**65', '%', '(1+2j)', repr((2**65) % ((1+2j))))
except Exception as e:
    print('2**65', '%', '(1+2j)', type(e).__name__, e)
try:
    print('2.5', '%', '7', repr((2.5) % (7)))
except Exception as e:
    print('2.5', '%', '7', type(e).__name__, e)
try:
    print('2.5', '%', '-3', repr((2.5) % (-3)))
except Exception as e:
    print('2.5', '%', '-3', type(e).__name__, e)
try:
    print('2.5', '%', '0', repr((2.5) % (0)))
except Exception as e:
    print('2.5', '%', '0', type(e).__name__, e)
try:
    print('2.5', '%', '2**65', repr((2.5) % (2**65)))
except Exception as e:
    print('2.5', '%', '2**65', type(e).__name__, e)
try:
    print('-0.5', '%', '7', repr((-0.5) % (7)))
except Exception as e:
    print('-0.5', '%', '7', type(e).__name__, e)
try:
    print('-0.5', '%', '-3', repr((-0.5) % (-3)))
except Exception as e:
    print('-0.5', '%', '-3', type(e).__name__, e)
try:
    print('-0.5', '%', '0', repr((-0.5) % (0)))
except Exception as e:
    print('-0.5', '%', '0', type(e).__name__, e)
try:
    print('-0.5', '%', '2**65', repr((-0.5) % (2**65)))
except Exception as e:
    print('-0.5', '%', '2**65', type(e).__name__, e)
try:
    print('1e10', '%', '7', repr((1e10) % (7)))
except Exception as e:
    print('1e10', '%', '7', type(e).__name__, e)
try:
    print('1e10', '%', '-3', repr((1e10) % (-3)))
except Exception as e:
    print('1e10', '%', '-3', type(e).__name__, e)
try:
    print('1e10', '%', '0', repr((1e10) % (0)))
except Exception as e:
    print('1e10', '%', '0', type(e).__name__, e)
try:
    print('1e10', '%', '2**65', repr((1e10) % (2**65)))
except Exception as e:
    print('1e10', '%', '2**65', type(e).__name__, e)
try:
    print('2.5', '%', '2.5', repr((2.5) % (2.5)))
except Exception as e:
    print('2.5', '%', '2.5', type(e).__name__, e)
try:
    print('2.5', '%', '-0.5', repr((2.5) % (-0.5)))
except Exception as e:
    print('2.5', '%', '-0.5', type(e).__name__, e)
try:
    print('2.5', '%', '1e10', repr((2.5) % (1e10)))
except Exception as e:
    print('2.5', '%', '1e10', type(e).__name__, e)
try:
    print('-0.5', '%', '2.5', repr((-0.5) % (2.5)))
except Exception as e:
    print('-0.5', '%', '2.5', type(e).__name__, e)
try:
    print('-0.5', '%', '-0.5', repr((-0.5) % (-0.5)))
except Exception as e:
    print('-0.5', '%', '-0.5', type(e).__name__, e)
try:
    print('-0.5', '%', '1e10', repr((-0.5) % (1e10)))
except Exception as e:
    print('-0.5', '%', '1e10', type(e).__name__, e)
try:
    print('1e10', '%', '2.5', repr((1e10) % (2.5)))
except Exception as e:
    print('1e10', '%', '2.5', type(e).__name__, e)
try:
    print('1e10', '%', '-0.5', repr((1e10) % (-0.5)))
except Exception as e:
    print('1e10', '%', '-0.5', type(e).__name__, e)
try:
    print('1e10', '%', '1e10', repr((1e10) % (1e10)))
except Exception as e:
    print('1e10', '%', '1e10', type(e).__name__, e)
try:
    print('2.5', '%', 'True', repr((2.5) % (True)))
except Exception as e:
    print('2.5', '%', 'True', type(e).__name__, e)
try:
    print('2.5', '%', 'False', repr((2.5) % (False)))
except Exception as e:
    print('2.5', '%', 'False', type(e).__name__, e)
try:
    print('-0.5', '%', 'True', repr((-0.5) % (True)))
except Exception as e:
    print('-0.5', '%', 'True', type(e).__name__, e)
try:
    print('-0.5', '%', 'False', repr((-0.5) % (False)))
except Exception as e:
    print('-0.5', '%', 'False', type(e).__name__, e)
try:
    print('1e10', '%', 'True', repr((1e10) % (True)))
except Exception as e:
    print('1e10', '%', 'True', type(e).__name__, e)
try:
    print('1e10', '%', 'False', repr((1e10) % (False)))
except Exception as e:
    print('1e10', '%', 'False', type(e).__name__, e)
try:
    print('2.5', '%', '(1+2j)', repr((2.5) % ((1+2j))))
except Exception as e:
    print('2.5', '%', '(1+2j)', type(e).__name__, e)
try:
    print('-0.5', '%', '(1+2j)', repr((-0.5) % ((1+2j))))
except Exception as e:
    print('-0.5', '%', '(1+2j)', type(e).__name__, e)
try:
    print('1e10', '%', '(1+2j)', repr((1e10) % ((1+2j))))
except Exception as e:
    print('1e10', '%', '(1+2j)', type(e).__name__, e)
try:
    print('True', '%', '7', repr((True) % (7)))
except Exception as e:
    print('True', '%', '7', type(e).__name__, e)
try:
    print('True', '%', '-3', repr((True) % (-3)))
except Exception as e:
    print('True', '%', '-3', type(e).__name__, e)
try:
    print('True', '%', '0', repr((True) % (0)))
except Exception as e:
    print('True', '%', '0', type(e).__name__, e)
try:
    print('True', '%', '2**65', repr((True) % (2**65)))
except Exception as e:
    print('True', '%', '2**65', type(e).__name__, e)
try:
    print('False', '%', '7', repr((False) % (7)))
except Exception as e:
    print('False', '%', '7', type(e).__name__, e)
try:
    print('False', '%', '-3', repr((False) % (-3)))
except Exception as e:
    print('False', '%', '-3', type(e).__name__, e)
try:
    print('False', '%', '0', repr((False) % (0)))
except Exception as e:
    print('False', '%', '0', type(e).__name__, e)
try:
    print('False', '%', '2**65', repr((False) % (2**65)))
except Exception as e:
    print('False', '%', '2**65', type(e).__name__, e)
try:
    print('True', '%', '2.5', repr((True) % (2.5)))
except Exception as e:
    print('True', '%', '2.5', type(e).__name__, e)
try:
    print('True', '%', '-0.5', repr((True) % (-0.5)))
except Exception as e:
    print('True', '%', '-0.5', type(e).__name__, e)
try:
    print('True', '%', '1e10', repr((True) % (1e10)))
except Exception as e:
    print('True', '%', '1e10', type(e).__name__, e)
try:
    print('False', '%', '2.5', repr((False) % (2.5)))
except Exception as e:
    print('False', '%', '2.5', type(e).__name__, e)
try:
    print('False', '%', '-0.5', repr((False) % (-0.5)))
except Exception as e:
    print('False', '%', '-0.5', type(e).__name__, e)
try:
    print('False', '%', '1e10', repr((False) % (1e10)))
except Exception as e:
    print('False', '%', '1e10', type(e).__name__, e)
try:
    print('True', '%', 'True', repr((True) % (True)))
except Exception as e:
    print('True', '%', 'True', type(e).__name__, e)
try:
    print('True', '%', 'False', repr((True) % (False)))
except Exception as e:
    print('True', '%', 'False', type(e).__name__, e)
try:
    print('False', '%', 'True', repr((False) % (True)))
except Exception as e:
    print('False', '%', 'True', type(e).__name__, e)
try:
    print('False', '%', 'False', repr((False) % (False)))
except Exception as e:
    print('False', '%', 'False', type(e).__name__, e)
try:
    print('True', '%', '(1+2j)', repr((True) % ((1+2j))))
except Exception as e:
    print('True', '%', '(1+2j)', type(e).__name__, e)
try:
    print('False', '%', '(1+2j)', repr((False) % ((1+2j))))
except Exception as e:
    print('False', '%', '(1+2j)', type(e).__name__, e)
try:
    print('(1+2j)', '%', '7', repr(((1+2j)) % (7)))
except Exception as e:
    print('(1+2j)', '%', '7', type(e).__name__, e)
try:
    print('(1+2j)', '%', '-3', repr(((1+2j)) % (-3)))
except Exception as e:
    print('(1+2j)', '%', '-3', type(e).__name__, e)
try:
    print('(1+2j)', '%', '0', repr(((1+2j)) % (0)))
except Exception as e:
    print('(1+2j)', '%', '0', type(e).__name__, e)
try:
    print('(1+2j)', '%', '2**65', repr(((1+2j)) % (2**65)))
except Exception as e:
    print('(1+2j)', '%', '2**65', type(e).__name__, e)
try:
    print('(1+2j)', '%', '2.5', repr(((1+2j)) % (2.5)))
except Exception as e:
    print('(1+2j)', '%', '2.5', type(e).__name__, e)
try:
    print('(1+2j)', '%', '-0.5', repr(((1+2j)) % (-0.5)))
except Exception as e:
    print('(1+2j)', '%', '-0.5', type(e).__name__, e)
try:
    print('(1+2j)', '%', '1e10', repr(((1+2j)) % (1e10)))
except Exception as e:
    print('(1+2j)', '%', '1e10', type(e).__name__, e)
try:
    print('(1+2j)', '%', 'True', repr(((1+2j)) % (True)))
except Exception as e:
    print('(1+2j)', '%', 'True', type(e).__name__, e)
try:
    print('(1+2j)', '%', 'False', repr(((1+2j)) % (False)))
except Exception as e:
    print('(1+2j)', '%', 'False', type(e).__name__, e)
try:
    print('(1+2j)', '%', '(1+2j)', repr(((1+2j)) % ((1+2j))))
except Exception as e:
    print('(1+2j)', '%', '(1+2j)', type(e).__name__, e)
