from ..mod_b import B
C = "c+" + B
try:
    from ... import nothing
except ImportError as e:
    BEYOND = str(e)
