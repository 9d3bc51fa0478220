# errno (Linux numbers, errorcode's names) and atexit (last registered runs first, errors reported, others still run)
import errno, atexit, os
print(errno.ENOENT, errno.EAGAIN, errno.EWOULDBLOCK, errno.EDEADLOCK, len(errno.errorcode))
print(errno.errorcode[errno.ENOENT], errno.errorcode[11], errno.errorcode[35], errno.errorcode[95])
print(sorted(n for n in dir(errno) if n.startswith('EN'))[:8])

def bye(who, punct='!'):
    print('bye', who + punct)
def boom():
    raise ValueError('in atexit')
print(atexit.register(bye, 'first') is bye)
atexit.register(boom)
atexit.register(bye, 'second', punct='?')
atexit.register(bye, 'gone')
atexit.unregister(bye)
atexit.register(bye, 'third')
for call in (lambda: atexit.register(), lambda: atexit.register(1), lambda: atexit.unregister()):
    try:
        call()
    except TypeError as e:
        print('TypeError:', e)
print('main done')
