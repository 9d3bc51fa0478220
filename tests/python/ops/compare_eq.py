try:
    print('1', '1', 1 == 1)
except TypeError as e:
    print('1', '1', 'TypeError', e)
try:
    print('1', '1.0', 1 == 1.0)
except TypeError as e:
    print('1', '1.0', 'TypeError', e)
try:
    print('1', '2', 1 == 2)
except TypeError as e:
    print('1', '2', 'TypeError', e)
try:
    print('1', 'True', 1 == True)
except TypeError as e:
    print('1', 'True', 'TypeError', e)
try:
    print('1', '"a"', 1 == "a")
except TypeError as e:
    print('1', '"a"', 'TypeError', e)
try:
    print('1', '"b"', 1 == "b")
except TypeError as e:
    print('1', '"b"', 'TypeError', e)
try:
    print('1', '[1, 2]', 1 == [1, 2])
except TypeError as e:
    print('1', '[1, 2]', 'TypeError', e)
try:
    print('1', '[1, 3]', 1 == [1, 3])
except TypeError as e:
    print('1', '[1, 3]', 'TypeError', e)
try:
    print('1', '(1,)', 1 == (1,))
except TypeError as e:
    print('1', '(1,)', 'TypeError', e)
try:
    print('1', 'None', 1 == None)
except TypeError as e:
    print('1', 'None', 'TypeError', e)
try:
    print('1', '2**64', 1 == 2**64)
except TypeError as e:
    print('1', '2**64', 'TypeError', e)
try:
    print('1', 'float("nan")', 1 == float("nan"))
except TypeError as e:
    print('1', 'float("nan")', 'TypeError', e)
try:
    print('1', 'float("inf")', 1 == float("inf"))
except TypeError as e:
    print('1', 'float("inf")', 'TypeError', e)
try:
    print('1.0', '1', 1.0 == 1)
except TypeError as e:
    print('1.0', '1', 'TypeError', e)
try:
    print('1.0', '1.0', 1.0 == 1.0)
except TypeError as e:
    print('1.0', '1.0', 'TypeError', e)
try:
    print('1.0', '2', 1.0 == 2)
except TypeError as e:
    print('1.0', '2', 'TypeError', e)
try:
    print('1.0', 'True', 1.0 == True)
except TypeError as e:
    print('1.0', 'True', 'TypeError', e)
try:
    print('1.0', '"a"', 1.0 == "a")
except TypeError as e:
    print('1.0', '"a"', 'TypeError', e)
try:
    print('1.0', '"b"', 1.0 == "b")
except TypeError as e:
    print('1.0', '"b"', 'TypeError', e)
try:
    print('1.0', '[1, 2]', 1.0 == [1, 2])
except TypeError as e:
    print('1.0', '[1, 2]', 'TypeError', e)
try:
    print('1.0', '[1, 3]', 1.0 == [1, 3])
except TypeError as e:
    print('1.0', '[1, 3]', 'TypeError', e)
try:
    print('1.0', '(1,)', 1.0 == (1,))
except TypeError as e:
    print('1.0', '(1,)', 'TypeError', e)
try:
    print('1.0', 'None', 1.0 == None)
except TypeError as e:
    print('1.0', 'None', 'TypeError', e)
try:
    print('1.0', '2**64', 1.0 == 2**64)
except TypeError as e:
    print('1.0', '2**64', 'TypeError', e)
try:
    print('1.0', 'float("nan")', 1.0 == float("nan"))
except TypeError as e:
    print('1.0', 'float("nan")', 'TypeError', e)
try:
    print('1.0', 'float("inf")', 1.0 == float("inf"))
except TypeError as e:
    print('1.0', 'float("inf")', 'TypeError', e)
try:
    print('2', '1', 2 == 1)
except TypeError as e:
    print('2', '1', 'TypeError', e)
try:
    print('2', '1.0', 2 == 1.0)
except TypeError as e:
    print('2', '1.0', 'TypeError', e)
try:
    print('2', '2', 2 == 2)
except TypeError as e:
    print('2', '2', 'TypeError', e)
try:
    print('2', 'True', 2 == True)
except TypeError as e:
    print('2', 'True', 'TypeError', e)
try:
    print('2', '"a"', 2 == "a")
except TypeError as e:
    print('2', '"a"', 'TypeError', e)
try:
    print('2', '"b"', 2 == "b")
except TypeError as e:
    print('2', '"b"', 'TypeError', e)
try:
    print('2', '[1, 2]', 2 == [1, 2])
except TypeError as e:
    print('2', '[1, 2]', 'TypeError', e)
try:
    print('2', '[1, 3]', 2 == [1, 3])
except TypeError as e:
    print('2', '[1, 3]', 'TypeError', e)
try:
    print('2', '(1,)', 2 == (1,))
except TypeError as e:
    print('2', '(1,)', 'TypeError', e)
try:
    print('2', 'None', 2 == None)
except TypeError as e:
    print('2', 'None', 'TypeError', e)
try:
    print('2', '2**64', 2 == 2**64)
except TypeError as e:
    print('2', '2**64', 'TypeError', e)
try:
    print('2', 'float("nan")', 2 == float("nan"))
except TypeError as e:
    print('2', 'float("nan")', 'TypeError', e)
try:
    print('2', 'float("inf")', 2 == float("inf"))
except TypeError as e:
    print('2', 'float("inf")', 'TypeError', e)
try:
    print('True', '1', True == 1)
except TypeError as e:
    print('True', '1', 'TypeError', e)
try:
    print('True', '1.0', True == 1.0)
except TypeError as e:
    print('True', '1.0', 'TypeError', e)
try:
    print('True', '2', True == 2)
except TypeError as e:
    print('True', '2', 'TypeError', e)
try:
    print('True', 'True', True == True)
except TypeError as e:
    print('True', 'True', 'TypeError', e)
try:
    print('True', '"a"', True == "a")
except TypeError as e:
    print('True', '"a"', 'TypeError', e)
try:
    print('True', '"b"', True == "b")
except TypeError as e:
    print('True', '"b"', 'TypeError', e)
try:
    print('True', '[1, 2]', True == [1, 2])
except TypeError as e:
    print('True', '[1, 2]', 'TypeError', e)
try:
    print('True', '[1, 3]', True == [1, 3])
except TypeError as e:
    print('True', '[1, 3]', 'TypeError', e)
try:
    print('True', '(1,)', True == (1,))
except TypeError as e:
    print('True', '(1,)', 'TypeError', e)
try:
    print('True', 'None', True == None)
except TypeError as e:
    print('True', 'None', 'TypeError', e)
try:
    print('True', '2**64', True == 2**64)
except TypeError as e:
    print('True', '2**64', 'TypeError', e)
try:
    print('True', 'float("nan")', True == float("nan"))
except TypeError as e:
    print('True', 'float("nan")', 'TypeError', e)
try:
    print('True', 'float("inf")', True == float("inf"))
except TypeError as e:
    print('True', 'float("inf")', 'TypeError', e)
try:
    print('"a"', '1', "a" == 1)
except TypeError as e:
    print('"a"', '1', 'TypeError', e)
try:
    print('"a"', '1.0', "a" == 1.0)
except TypeError as e:
    print('"a"', '1.0', 'TypeError', e)
try:
    print('"a"', '2', "a" == 2)
except TypeError as e:
    print('"a"', '2', 'TypeError', e)
try:
    print('"a"', 'True', "a" == True)
except TypeError as e:
    print('"a"', 'True', 'TypeError', e)
try:
    print('"a"', '"a"', "a" == "a")
except TypeError as e:
    print('"a"', '"a"', 'TypeError', e)
try:
    print('"a"', '"b"', "a" == "b")
except TypeError as e:
    print('"a"', '"b"', 'TypeError', e)
try:
    print('"a"', '[1, 2]', "a" == [1, 2])
except TypeError as e:
    print('"a"', '[1, 2]', 'TypeError', e)
try:
    print('"a"', '[1, 3]', "a" == [1, 3])
except TypeError as e:
    print('"a"', '[1, 3]', 'TypeError', e)
try:
    print('"a"', '(1,)', "a" == (1,))
except TypeError as e:
    print('"a"', '(1,)', 'TypeError', e)
try:
    print('"a"', 'None', "a" == None)
except TypeError as e:
    print('"a"', 'None', 'TypeError', e)
try:
    print('"a"', '2**64', "a" == 2**64)
except TypeError as e:
    print('"a"', '2**64', 'TypeError', e)
try:
    print('"a"', 'float("nan")', "a" == float("nan"))
except TypeError as e:
    print('"a"', 'float("nan")', 'TypeError', e)
try:
    print('"a"', 'float("inf")', "a" == float("inf"))
except TypeError as e:
    print('"a"', 'float("inf")', 'TypeError', e)
try:
    print('"b"', '1', "b" == 1)
except TypeError as e:
    print('"b"', '1', 'TypeError', e)
try:
    print('"b"', '1.0', "b" == 1.0)
except TypeError as e:
    print('"b"', '1.0', 'TypeError', e)
try:
    print('"b"', '2', "b" == 2)
except TypeError as e:
    print('"b"', '2', 'TypeError', e)
try:
    print('"b"', 'True', "b" == True)
except TypeError as e:
    print('"b"', 'True', 'TypeError', e)
try:
    print('"b"', '"a"', "b" == "a")
except TypeError as e:
    print('"b"', '"a"', 'TypeError', e)
try:
    print('"b"', '"b"', "b" == "b")
except TypeError as e:
    print('"b"', '"b"', 'TypeError', e)
try:
    print('"b"', '[1, 2]', "b" == [1, 2])
except TypeError as e:
    print('"b"', '[1, 2]', 'TypeError', e)
try:
    print('"b"', '[1, 3]', "b" == [1, 3])
except TypeError as e:
    print('"b"', '[1, 3]', 'TypeError', e)
try:
    print('"b"', '(1,)', "b" == (1,))
except TypeError as e:
    print('"b"', '(1,)', 'TypeError', e)
try:
    print('"b"', 'None', "b" == None)
except TypeError as e:
    print('"b"', 'None', 'TypeError', e)
try:
    print('"b"', '2**64', "b" == 2**64)
except TypeError as e:
    print('"b"', '2**64', 'TypeError', e)
try:
    print('"b"', 'float("nan")', "b" == float("nan"))
except TypeError as e:
    print('"b"', 'float("nan")', 'TypeError', e)
try:
    print('"b"', 'float("inf")', "b" == float("inf"))
except TypeError as e:
    print('"b"', 'float("inf")', 'TypeError', e)
try:
    print('[1, 2]', '1', [1, 2] == 1)
except TypeError as e:
    print('[1, 2]', '1', 'TypeError', e)
try:
    print('[1, 2]', '1.0', [1, 2] == 1.0)
except TypeError as e:
    print('[1, 2]', '1.0', 'TypeError', e)
try:
    print('[1, 2]', '2', [1, 2] == 2)
except TypeError as e:
    print('[1, 2]', '2', 'TypeError', e)
try:
    print('[1, 2]', 'True', [1, 2] == True)
except TypeError as e:
    print('[1, 2]', 'True', 'TypeError', e)
try:
    print('[1, 2]', '"a"', [1, 2] == "a")
except TypeError as e:
    print('[1, 2]', '"a"', 'TypeError', e)
try:
    print('[1, 2]', '"b"', [1, 2] == "b")
except TypeError as e:
    print('[1, 2]', '"b"', 'TypeError', e)
try:
    print('[1, 2]', '[1, 2]', [1, 2] == [1, 2])
except TypeError as e:
    print('[1, 2]', '[1, 2]', 'TypeError', e)
try:
    print('[1, 2]', '[1, 3]', [1, 2] == [1, 3])
except TypeError as e:
    print('[1, 2]', '[1, 3]', 'TypeError', e)
try:
    print('[1, 2]', '(1,)', [1, 2] == (1,))
except TypeError as e:
    print('[1, 2]', '(1,)', 'TypeError', e)
try:
    print('[1, 2]', 'None', [1, 2] == None)
except TypeError as e:
    print('[1, 2]', 'None', 'TypeError', e)
try:
    print('[1, 2]', '2**64', [1, 2] == 2**64)
except TypeError as e:
    print('[1, 2]', '2**64', 'TypeError', e)
try:
    print('[1, 2]', 'float("nan")', [1, 2] == float("nan"))
except TypeError as e:
    print('[1, 2]', 'float("nan")', 'TypeError', e)
try:
    print('[1, 2]', 'float("inf")', [1, 2] == float("inf"))
except TypeError as e:
    print('[1, 2]', 'float("inf")', 'TypeError', e)
try:
    print('[1, 3]', '1', [1, 3] == 1)
except TypeError as e:
    print('[1, 3]', '1', 'TypeError', e)
try:
    print('[1, 3]', '1.0', [1, 3] == 1.0)
except TypeError as e:
    print('[1, 3]', '1.0', 'TypeError', e)
try:
    print('[1, 3]', '2', [1, 3] == 2)
except TypeError as e:
    print('[1, 3]', '2', 'TypeError', e)
try:
    print('[1, 3]', 'True', [1, 3] == True)
except TypeError as e:
    print('[1, 3]', 'True', 'TypeError', e)
try:
    print('[1, 3]', '"a"', [1, 3] == "a")
except TypeError as e:
    print('[1, 3]', '"a"', 'TypeError', e)
try:
    print('[1, 3]', '"b"', [1, 3] == "b")
except TypeError as e:
    print('[1, 3]', '"b"', 'TypeError', e)
try:
    print('[1, 3]', '[1, 2]', [1, 3] == [1, 2])
except TypeError as e:
    print('[1, 3]', '[1, 2]', 'TypeError', e)
try:
    print('[1, 3]', '[1, 3]', [1, 3] == [1, 3])
except TypeError as e:
    print('[1, 3]', '[1, 3]', 'TypeError', e)
try:
    print('[1, 3]', '(1,)', [1, 3] == (1,))
except TypeError as e:
    print('[1, 3]', '(1,)', 'TypeError', e)
try:
    print('[1, 3]', 'None', [1, 3] == None)
except TypeError as e:
    print('[1, 3]', 'None', 'TypeError', e)
try:
    print('[1, 3]', '2**64', [1, 3] == 2**64)
except TypeError as e:
    print('[1, 3]', '2**64', 'TypeError', e)
try:
    print('[1, 3]', 'float("nan")', [1, 3] == float("nan"))
except TypeError as e:
    print('[1, 3]', 'float("nan")', 'TypeError', e)
try:
    print('[1, 3]', 'float("inf")', [1, 3] == float("inf"))
except TypeError as e:
    print('[1, 3]', 'float("inf")', 'TypeError', e)
try:
    print('(1,)', '1', (1,) == 1)
except TypeError as e:
    print('(1,)', '1', 'TypeError', e)
try:
    print('(1,)', '1.0', (1,) == 1.0)
except TypeError as e:
    print('(1,)', '1.0', 'TypeError', e)
try:
    print('(1,)', '2', (1,) == 2)
except TypeError as e:
    print('(1,)', '2', 'TypeError', e)
try:
    print('(1,)', 'True', (1,) == True)
except TypeError as e:
    print('(1,)', 'True', 'TypeError', e)
try:
    print('(1,)', '"a"', (1,) == "a")
except TypeError as e:
    print('(1,)', '"a"', 'TypeError', e)
try:
    print('(1,)', '"b"', (1,) == "b")
except TypeError as e:
    print('(1,)', '"b"', 'TypeError', e)
try:
    print('(1,)', '[1, 2]', (1,) == [1, 2])
except TypeError as e:
    print('(1,)', '[1, 2]', 'TypeError', e)
try:
    print('(1,)', '[1, 3]', (1,) == [1, 3])
except TypeError as e:
    print('(1,)', '[1, 3]', 'TypeError', e)
try:
    print('(1,)', '(1,)', (1,) == (1,))
except TypeError as e:
    print('(1,)', '(1,)', 'TypeError', e)
try:
    print('(1,)', 'None', (1,) == None)
except TypeError as e:
    print('(1,)', 'None', 'TypeError', e)
try:
    print('(1,)', '2**64', (1,) == 2**64)
except TypeError as e:
    print('(1,)', '2**64', 'TypeError', e)
try:
    print('(1,)', 'float("nan")', (1,) == float("nan"))
except TypeError as e:
    print('(1,)', 'float("nan")', 'TypeError', e)
try:
    print('(1,)', 'float("inf")', (1,) == float("inf"))
except TypeError as e:
    print('(1,)', 'float("inf")', 'TypeError', e)
try:
    print('None', '1', None == 1)
except TypeError as e:
    print('None', '1', 'TypeError', e)
try:
    print('None', '1.0', None == 1.0)
except TypeError as e:
    print('None', '1.0', 'TypeError', e)
try:
    print('None', '2', None == 2)
except TypeError as e:
    print('None', '2', 'TypeError', e)
try:
    print('None', 'True', None == True)
except TypeError as e:
    print('None', 'True', 'TypeError', e)
try:
    print('None', '"a"', None == "a")
except TypeError as e:
    print('None', '"a"', 'TypeError', e)
try:
    print('None', '"b"', None == "b")
except TypeError as e:
    print('None', '"b"', 'TypeError', e)
try:
    print('None', '[1, 2]', None == [1, 2])
except TypeError as e:
    print('None', '[1, 2]', 'TypeError', e)
try:
    print('None', '[1, 3]', None == [1, 3])
except TypeError as e:
    print('None', '[1, 3]', 'TypeError', e)
try:
    print('None', '(1,)', None == (1,))
except TypeError as e:
    print('None', '(1,)', 'TypeError', e)
try:
    print('None', 'None', None == None)
except TypeError as e:
    print('None', 'None', 'TypeError', e)
try:
    print('None', '2**64', None == 2**64)
except TypeError as e:
    print('None', '2**64', 'TypeError', e)
try:
    print('None', 'float("nan")', None == float("nan"))
except TypeError as e:
    print('None', 'float("nan")', 'TypeError', e)
try:
    print('None', 'float("inf")', None == float("inf"))
except TypeError as e:
    print('None', 'float("inf")', 'TypeError', e)
try:
    print('2**64', '1', 2**64 == 1)
except TypeError as e:
    print('2**64', '1', 'TypeError', e)
try:
    print('2**64', '1.0', 2**64 == 1.0)
except TypeError as e:
    print('2**64', '1.0', 'TypeError', e)
try:
    print('2**64', '2', 2**64 == 2)
except TypeError as e:
    print('2**64', '2', 'TypeError', e)
try:
    print('2**64', 'True', 2**64 == True)
except TypeError as e:
    print('2**64', 'True', 'TypeError', e)
try:
    print('2**64', '"a"', 2**64 == "a")
except TypeError as e:
    print('2**64', '"a"', 'TypeError', e)
try:
    print('2**64', '"b"', 2**64 == "b")
except TypeError as e:
    print('2**64', '"b"', 'TypeError', e)
try:
    print('2**64', '[1, 2]', 2**64 == [1, 2])
except TypeError as e:
    print('2**64', '[1, 2]', 'TypeError', e)
try:
    print('2**64', '[1, 3]', 2**64 == [1, 3])
except TypeError as e:
    print('2**64', '[1, 3]', 'TypeError', e)
try:
    print('2**64', '(1,)', 2**64 == (1,))
except TypeError as e:
    print('2**64', '(1,)', 'TypeError', e)
try:
    print('2**64', 'None', 2**64 == None)
except TypeError as e:
    print('2**64', 'None', 'TypeError', e)
try:
    print('2**64', '2**64', 2**64 == 2**64)
except TypeError as e:
    print('2**64', '2**64', 'TypeError', e)
try:
    print('2**64', 'float("nan")', 2**64 == float("nan"))
except TypeError as e:
    print('2**64', 'float("nan")', 'TypeError', e)
try:
    print('2**64', 'float("inf")', 2**64 == float("inf"))
except TypeError as e:
    print('2**64', 'float("inf")', 'TypeError', e)
try:
    print('float("nan")', '1', float("nan") == 1)
except TypeError as e:
    print('float("nan")', '1', 'TypeError', e)
try:
    print('float("nan")', '1.0', float("nan") == 1.0)
except TypeError as e:
    print('float("nan")', '1.0', 'TypeError', e)
try:
    print('float("nan")', '2', float("nan") == 2)
except TypeError as e:
    print('float("nan")', '2', 'TypeError', e)
try:
    print('float("nan")', 'True', float("nan") == True)
except TypeError as e:
    print('float("nan")', 'True', 'TypeError', e)
try:
    print('float("nan")', '"a"', float("nan") == "a")
except TypeError as e:
    print('float("nan")', '"a"', 'TypeError', e)
try:
    print('float("nan")', '"b"', float("nan") == "b")
except TypeError as e:
    print('float("nan")', '"b"', 'TypeError', e)
try:
    print('float("nan")', '[1, 2]', float("nan") == [1, 2])
except TypeError as e:
    print('float("nan")', '[1, 2]', 'TypeError', e)
try:
    print('float("nan")', '[1, 3]', float("nan") == [1, 3])
except TypeError as e:
    print('float("nan")', '[1, 3]', 'TypeError', e)
try:
    print('float("nan")', '(1,)', float("nan") == (1,))
except TypeError as e:
    print('float("nan")', '(1,)', 'TypeError', e)
try:
    print('float("nan")', 'None', float("nan") == None)
except TypeError as e:
    print('float("nan")', 'None', 'TypeError', e)
try:
    print('float("nan")', '2**64', float("nan") == 2**64)
except TypeError as e:
    print('float("nan")', '2**64', 'TypeError', e)
try:
    print('float("nan")', 'float("nan")', float("nan") == float("nan"))
except TypeError as e:
    print('float("nan")', 'float("nan")', 'TypeError', e)
try:
    print('float("nan")', 'float("inf")', float("nan") == float("inf"))
except TypeError as e:
    print('float("nan")', 'float("inf")', 'TypeError', e)
try:
    print('float("inf")', '1', float("inf") == 1)
except TypeError as e:
    print('float("inf")', '1', 'TypeError', e)
try:
    print('float("inf")', '1.0', float("inf") == 1.0)
except TypeError as e:
    print('float("inf")', '1.0', 'TypeError', e)
try:
    print('float("inf")', '2', float("inf") == 2)
except TypeError as e:
    print('float("inf")', '2', 'TypeError', e)
try:
    print('float("inf")', 'True', float("inf") == True)
except TypeError as e:
    print('float("inf")', 'True', 'TypeError', e)
try:
    print('float("inf")', '"a"', float("inf") == "a")
except TypeError as e:
    print('float("inf")', '"a"', 'TypeError', e)
try:
    print('float("inf")', '"b"', float("inf") == "b")
except TypeError as e:
    print('float("inf")', '"b"', 'TypeError', e)
try:
    print('float("inf")', '[1, 2]', float("inf") == [1, 2])
except TypeError as e:
    print('float("inf")', '[1, 2]', 'TypeError', e)
try:
    print('float("inf")', '[1, 3]', float("inf") == [1, 3])
except TypeError as e:
    print('float("inf")', '[1, 3]', 'TypeError', e)
try:
    print('float("inf")', '(1,)', float("inf") == (1,))
except TypeError as e:
    print('float("inf")', '(1,)', 'TypeError', e)
try:
    print('float("inf")', 'None', float("inf") == None)
except TypeError as e:
    print('float("inf")', 'None', 'TypeError', e)
try:
    print('float("inf")', '2**64', float("inf") == 2**64)
except TypeError as e:
    print('float("inf")', '2**64', 'TypeError', e)
try:
    print('float("inf")', 'float("nan")', float("inf") == float("nan"))
except TypeError as e:
    print('float("inf")', 'float("nan")', 'TypeError', e)
try:
    print('float("inf")', 'float("inf")', float("inf") == float("inf"))
except TypeError as e:
    print('float("inf")', 'float("inf")', 'TypeError', e)
