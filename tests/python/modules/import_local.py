import mod_helper
from mod_helper import greet, CONST as C
print(mod_helper.greet("x"), greet("y"), C, mod_helper.__name__)
import mod_helper as mh
print(mh is mod_helper, mh.counter())
