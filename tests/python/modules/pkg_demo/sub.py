from . import NAME
value = NAME + ".sub"
def double(x):
    return x * 2
