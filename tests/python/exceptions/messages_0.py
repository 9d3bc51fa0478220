try:
    1/0
except Exception as ex:
    print('1/0', type(ex).__name__, ex)
try:
    [][1]
except Exception as ex:
    print('[][1]', type(ex).__name__, ex)
try:
    {}["k"]
except Exception as ex:
    print('{}["k"]', type(ex).__name__, ex)
try:
    int("x")
except Exception as ex:
    print('int("x")', type(ex).__name__, ex)
try:
    None.attr
except Exception as ex:
    print('None.attr', type(ex).__name__, ex)
try:
    undefined
except Exception as ex:
    print('undefined', type(ex).__name__, ex)
try:
    "a" + 1
except Exception as ex:
    print('"a" + 1', type(ex).__name__, ex)
try:
    len(1)
except Exception as ex:
    print('len(1)', type(ex).__name__, ex)
try:
    [].pop()
except Exception as ex:
    print('[].pop()', type(ex).__name__, ex)
try:
    {1}.remove(2)
except Exception as ex:
    print('{1}.remove(2)', type(ex).__name__, ex)
