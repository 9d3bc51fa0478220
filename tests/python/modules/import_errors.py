try:
    import does_not_exist
except ModuleNotFoundError as e:
    print("ModuleNotFoundError:", e)
try:
    from math import nothing
except ImportError as e:
    print("ImportError:", str(e).split(" (")[0])
