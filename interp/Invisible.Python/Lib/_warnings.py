"""Transitional stand-in (issue 12) for CPython's C-level _warnings module, listed in Import/StandIns.cs.

It offers only warn() and warn_explicit(), which hand the warning to the warnings module: enough for
importlib._bootstrap_external (which imports _warnings at its top) and for _bootstrap's deprecation warnings.
warnings.py itself finds no `filters` here and so uses its pure-Python implementation, as CPython's
warnings.py does when _warnings is missing.
"""


def warn(message, category=None, stacklevel=1, source=None):
    import warnings
    warnings.warn(message, category, stacklevel + 1, source)


def warn_explicit(message, category, filename, lineno, module=None, registry=None,
                  module_globals=None, source=None):
    import warnings
    warnings.warn_explicit(message, category, filename, lineno, module, registry,
                           module_globals, source)
