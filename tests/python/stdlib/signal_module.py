# _signal (what Lib's signal.py re-exports): handlers run on the main thread between bytecodes
import _signal as signal, posix as os, time

print(signal.SIGINT, signal.SIGUSR1, signal.NSIG, signal.SIG_DFL, signal.SIG_IGN)
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, signal.getsignal(signal.SIGUSR1))
print(signal.strsignal(signal.SIGINT), signal.strsignal(signal.SIGTERM))
print(len(signal.valid_signals()) > 30, 9 in signal.valid_signals())
got = []
def handler(signum, frame):
    got.append((signum, frame is not None))
old = signal.signal(signal.SIGUSR1, handler)
print(old, signal.getsignal(signal.SIGUSR1) is handler)
signal.raise_signal(signal.SIGUSR1)
print(got)
os.kill(os.getpid(), signal.SIGUSR1)
while len(got) < 2:
    time.sleep(0.001)
print(got)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.raise_signal(signal.SIGUSR1)
print(len(got))
signal.signal(signal.SIGUSR2, lambda s, f: got.append("usr2"))
signal.raise_signal(signal.SIGUSR2)
print(got[-1])
try:
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
signal.signal(signal.SIGINT, lambda s, f: got.append("int"))
signal.raise_signal(signal.SIGINT)
print(got[-1])
signal.signal(signal.SIGINT, signal.default_int_handler)
alarmed = []
signal.signal(signal.SIGALRM, lambda s, f: alarmed.append(s))
print(signal.alarm(1), signal.alarm(0) > 0)
print(signal.getitimer(signal.ITIMER_REAL))
for bad in [lambda: signal.signal(99, signal.SIG_DFL), lambda: signal.signal(signal.SIGKILL, signal.SIG_DFL),
            lambda: signal.signal(signal.SIGUSR1, 5), lambda: signal.strsignal(0)]:
    try:
        bad()
    except (ValueError, OSError, TypeError) as e:
        print(type(e).__name__, e)
