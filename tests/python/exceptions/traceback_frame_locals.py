# A frame an exception left keeps its locals for the traceback (tb_frame.f_locals) until frame.clear(),
# which traceback.clear_frames calls; clearing a running frame is a RuntimeError.
import sys
import traceback

def outer():
    middle()

def middle():
    inner()

def inner():
    i = 1
    name = 'x'
    1 / 0

try:
    outer()
except ZeroDivisionError:
    tb = sys.exc_info()[2]

frame = tb.tb_next.tb_next.tb_next.tb_frame
print(frame.f_code.co_name, sorted(frame.f_locals.items()))
traceback.clear_frames(tb)
print(frame.f_code.co_name, frame.f_locals)
try:
    sys._getframe().clear()
except RuntimeError as e:
    print('RuntimeError', e)
