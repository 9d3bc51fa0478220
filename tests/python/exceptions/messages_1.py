try:
    "abc".index("z")
except Exception as ex:
    print('"abc".index("z")', type(ex).__name__, ex)
try:
    float("?")
except Exception as ex:
    print('float("?")', type(ex).__name__, ex)
try:
    chr(-1)
except Exception as ex:
    print('chr(-1)', type(ex).__name__, ex)
try:
    iter(5)
except Exception as ex:
    print('iter(5)', type(ex).__name__, ex)
try:
    next(iter([]))
except Exception as ex:
    print('next(iter([]))', type(ex).__name__, ex)
try:
    (1, 2).x
except Exception as ex:
    print('(1, 2).x', type(ex).__name__, ex)
try:
    int.nope
except Exception as ex:
    print('int.nope', type(ex).__name__, ex)
try:
    "a" < 1
except Exception as ex:
    print('"a" < 1', type(ex).__name__, ex)
try:
    sum(["a"])
except Exception as ex:
    print('sum(["a"])', type(ex).__name__, ex)
try:
    list(1)
except Exception as ex:
    print('list(1)', type(ex).__name__, ex)
