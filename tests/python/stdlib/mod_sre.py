"""CPython 3.11's regular expression parser and compiler (Lib/re/_parser.py, _compiler.py from
/usr/lib/python3.11/re, unmodified) over the interpreter's C-level _sre, loaded as the package
'sre_lib': the re_engine_* programs exercise _sre whichever module 're' currently is."""
import sys
import types

if 'sre_lib' not in sys.modules:
    _pkg = types.ModuleType('sre_lib')
    _pkg.__path__ = ['/usr/lib/python3.11/re']
    sys.modules['sre_lib'] = _pkg

from sre_lib import _compiler, _constants

compile = _compiler.compile
error = _constants.error
I, L, M, S, X, U, A = 2, 4, 8, 16, 64, 32, 256
