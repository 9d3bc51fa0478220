from . import mod_b
from .mod_b import B
from .pkg_inner import mod_c
A = "a+" + B
