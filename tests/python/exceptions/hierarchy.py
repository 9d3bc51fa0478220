for exc in [ZeroDivisionError, KeyError, IndexError, FileNotFoundError, RecursionError, NotImplementedError, ModuleNotFoundError, UnboundLocalError, StopIteration, GeneratorExit, KeyboardInterrupt, SystemExit]:
    print(exc.__name__, [c.__name__ for c in exc.__mro__])
