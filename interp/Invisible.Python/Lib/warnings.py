import sys as _sys
_filters = []
def warn(message, category=None, stacklevel=1, source=None):
    if category is None:
        category = UserWarning
    if _filters and _filters[-1] == 'ignore':
        return
    if isinstance(message, Warning):
        category = type(message)
    print(f"{category.__name__}: {message}", file=_sys.stderr)
def simplefilter(action, category=None, lineno=0, append=False):
    _filters.append(action)
def filterwarnings(action, message='', category=None, module='', lineno=0, append=False):
    _filters.append(action)
class catch_warnings:
    def __init__(self, *a, **k):
        pass
    def __enter__(self):
        self._saved = list(_filters)
        return []
    def __exit__(self, *a):
        _filters[:] = self._saved
