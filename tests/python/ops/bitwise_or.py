try:
    print('0', '0', repr((0) | (0)))
except Exception as e:
    print('0', '0', type(e).__name__, e)
try:
    print('0', '1', repr((0) | (1)))
except Exception as e:
    print('0', '1', type(e).__name__, e)
try:
    print('0', '3', repr((0) | (3)))
except Exception as e:
    print('0', '3', type(e).__name__, e)
try:
    print('0', '64', repr((0) | (64)))
except Exception as e:
    print('0', '64', type(e).__name__, e)
try:
    print('0', 'False', repr((0) | (False)))
except Exception as e:
    print('0', 'False', type(e).__name__, e)
try:
    print('0', '-1', repr((0) | (-1)))
except Exception as e:
    print('0', '-1', type(e).__name__, e)
try:
    print('1', '0', repr((1) | (0)))
except Exception as e:
    print('1', '0', type(e).__name__, e)
try:
    print('1', '1', repr((1) | (1)))
except Exception as e:
    print('1', '1', type(e).__name__, e)
try:
    print('1', '3', repr((1) | (3)))
except Exception as e:
    print('1', '3', type(e).__name__, e)
try:
    print('1', '64', repr((1) | (64)))
except Exception as e:
    print('1', '64', type(e).__name__, e)
try:
    print('1', 'False', repr((1) | (False)))
except Exception as e:
    print('1', 'False', type(e).__name__, e)
try:
    print('1', '-1', repr((1) | (-1)))
except Exception as e:
    print('1', '-1', type(e).__name__, e)
try:
    print('-1', '0', repr((-1) | (0)))
except Exception as e:
    print('-1', '0', type(e).__name__, e)
try:
    print('-1', '1', repr((-1) | (1)))
except Exception as e:
    print('-1', '1', type(e).__name__, e)
try:
    print('-1', '3', repr((-1) | (3)))
except Exception as e:
    print('-1', '3', type(e).__name__, e)
try:
    print('-1', '64', repr((-1) | (64)))
except Exception as e:
    print('-1', '64', type(e).__name__, e)
try:
    print('-1', 'False', repr((-1) | (False)))
except Exception as e:
    print('-1', 'False', type(e).__name__, e)
try:
    print('-1', '-1', repr((-1) | (-1)))
except Exception as e:
    print('-1', '-1', type(e).__name__, e)
try:
    print('255', '0', repr((255) | (0)))
except Exception as e:
    print('255', '0', type(e).__name__, e)
try:
    print('255', '1', repr((255) | (1)))
except Exception as e:
    print('255', '1', type(e).__name__, e)
try:
    print('255', '3', repr((255) | (3)))
except Exception as e:
    print('255', '3', type(e).__name__, e)
try:
    print('255', '64', repr((255) | (64)))
except Exception as e:
    print('255', '64', type(e).__name__, e)
try:
    print('255', 'False', repr((255) | (False)))
except Exception as e:
    print('255', 'False', type(e).__name__, e)
try:
    print('255', '-1', repr((255) | (-1)))
except Exception as e:
    print('255', '-1', type(e).__name__, e)
try:
    print('-256', '0', repr((-256) | (0)))
except Exception as e:
    print('-256', '0', type(e).__name__, e)
try:
    print('-256', '1', repr((-256) | (1)))
except Exception as e:
    print('-256', '1', type(e).__name__, e)
try:
    print('-256', '3', repr((-256) | (3)))
except Exception as e:
    print('-256', '3', type(e).__name__, e)
try:
    print('-256', '64', repr((-256) | (64)))
except Exception as e:
    print('-256', '64', type(e).__name__, e)
try:
    print('-256', 'False', repr((-256) | (False)))
except Exception as e:
    print('-256', 'False', type(e).__name__, e)
try:
    print('-256', '-1', repr((-256) | (-1)))
except Exception as e:
    print('-256', '-1', type(e).__name__, e)
try:
    print('2**70', '0', repr((2**70) | (0)))
except Exception as e:
    print('2**70', '0', type(e).__name__, e)
try:
    print('2**70', '1', repr((2**70) | (1)))
except Exception as e:
    print('2**70', '1', type(e).__name__, e)
try:
    print('2**70', '3', repr((2**70) | (3)))
except Exception as e:
    print('2**70', '3', type(e).__name__, e)
try:
    print('2**70', '64', repr((2**70) | (64)))
except Exception as e:
    print('2**70', '64', type(e).__name__, e)
try:
    print('2**70', 'False', repr((2**70) | (False)))
except Exception as e:
    print('2**70', 'False', type(e).__name__, e)
try:
    print('2**70', '-1', repr((2**70) | (-1)))
except Exception as e:
    print('2**70', '-1', type(e).__name__, e)
try:
    print('True', '0', repr((True) | (0)))
except Exception as e:
    print('True', '0', type(e).__name__, e)
try:
    print('True', '1', repr((True) | (1)))
except Exception as e:
    print('True', '1', type(e).__name__, e)
try:
    print('True', '3', repr((True) | (3)))
except Exception as e:
    print('True', '3', type(e).__name__, e)
try:
    print('True', '64', repr((True) | (64)))
except Exception as e:
    print('True', '64', type(e).__name__, e)
try:
    print('True', 'False', repr((True) | (False)))
except Exception as e:
    print('True', 'False', type(e).__name__, e)
try:
    print('True', '-1', repr((True) | (-1)))
except Exception as e:
    print('True', '-1', type(e).__name__, e)
