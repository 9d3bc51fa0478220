# sys's hooks and the queries pure-Python code reads at import time
import sys, builtins
print(sys.getfilesystemencoding(), sys.getfilesystemencodeerrors(), sys.is_finalizing(), sys.getswitchinterval())
print('os' in sys.stdlib_module_names, 're' in sys.stdlib_module_names, 'numpy' in sys.stdlib_module_names, type(sys.stdlib_module_names).__name__)
sys.displayhook(None)
sys.displayhook([1, 'two'])
print(builtins._)
print(sys.call_tracing(max, (3, 9, 4)))
events = []
sys.addaudithook(lambda event, args: events.append((event, args)) if event.startswith('my.') else None)
sys.audit('my.event', 1, 'x')
sys.audit('other.event')
print(events)
sys.setswitchinterval(0.01)
print(sys.getswitchinterval())
print(sys.gettrace(), sys.getprofile(), sys.displayhook is sys.__displayhook__, sys.excepthook is sys.__excepthook__)
for call in (lambda: sys.call_tracing(print, [1]), lambda: sys.setswitchinterval(0), lambda: sys.displayhook(),
             lambda: sys.getfilesystemencoding(1), lambda: sys.setswitchinterval('a')):
    try:
        call()
    except (TypeError, ValueError) as e:
        print(type(e).__name__, e)
print(__spec__)
