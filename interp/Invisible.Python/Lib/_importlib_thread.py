"""Transitional stand-in (issue 12), listed in Import/StandIns.cs: what importlib._bootstrap._setup takes from
_thread while the C-level _thread module is missing. The import system installs it as _thread only for the
duration of _setup, so nothing else sees it. Without _thread there is one Python thread, so a lock never waits:
it only records whether it is held.
"""


class LockType:
    __slots__ = ('_held', '__weakref__')

    def __init__(self):
        self._held = False

    def acquire(self, blocking=True, timeout=-1):
        if self._held and not blocking:
            return False
        self._held = True
        return True

    def release(self):
        if not self._held:
            raise RuntimeError('release unlocked lock')
        self._held = False

    def locked(self):
        return self._held

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


def allocate_lock():
    return LockType()


def get_ident():
    return 1
