try:
    dict([1])
except Exception as ex:
    print('dict([1])', type(ex).__name__, ex)
try:
    hash([])
except Exception as ex:
    print('hash([])', type(ex).__name__, ex)
try:
    abs("x")
except Exception as ex:
    print('abs("x")', type(ex).__name__, ex)
try:
    [1, 2, 3][1:2:0]
except Exception as ex:
    print('[1, 2, 3][1:2:0]', type(ex).__name__, ex)
try:
    divmod(1, 0)
except Exception as ex:
    print('divmod(1, 0)', type(ex).__name__, ex)
try:
    2 ** -1 // 0
except Exception as ex:
    print('2 ** -1 // 0', type(ex).__name__, ex)
try:
    range(1, 2, 0)
except Exception as ex:
    print('range(1, 2, 0)', type(ex).__name__, ex)
try:
    "x" * "y"
except Exception as ex:
    print('"x" * "y"', type(ex).__name__, ex)
try:
    bytes([300])
except Exception as ex:
    print('bytes([300])', type(ex).__name__, ex)
try:
    {}.fromkeys(1)
except Exception as ex:
    print('{}.fromkeys(1)', type(ex).__name__, ex)
