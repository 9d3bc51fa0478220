# __import__'s arguments and errors as CPython's; fromlist as any sequence; built-in module names
import sys
print(__import__('os.path', fromlist=['join']).__name__.endswith('path'), __import__('os.path').__name__)
print(__import__('os.path', None, None, ('join',), 0).__name__.endswith('path'))
for call in (lambda: __import__(), lambda: __import__('os', foo=1), lambda: __import__(''),
             lambda: __import__(1), lambda: __import__('x', level=-1), lambda: __import__('nonexistent_mod_zz')):
    try:
        call()
    except Exception as e:
        print(type(e).__name__, e)
print(all(n in sys.builtin_module_names for n in ('sys', 'builtins', 'errno', 'atexit', '_imp', 'math')))
print(any(n in sys.builtin_module_names for n in ('re', 'json', 'os', 'random', 'collections')))
import _imp
print(_imp.is_builtin('math'), _imp.is_builtin('sys'), _imp.is_builtin('os'))
print(type(sys.flags).__name__, sys.flags.no_site, sys.version_info[:2], sys.version_info.major, sys.hash_info.width, sys.float_info.dig)
print(isinstance(sys.path, list), sys.path.index('/usr/lib/python3.11') > 0 if '/usr/lib/python3.11' in sys.path else 'no-lib')
