# the TypeError of an unsupported in-place power says "**=" (CPython's PyNumber_InPlacePower)
for stmt in ["x = None; x **= 2", "x = None; x @= 2", "x = 'a'; x -= 1", "x = None; x **= None"]:
    try:
        exec(stmt)
    except TypeError as e:
        print(e)
