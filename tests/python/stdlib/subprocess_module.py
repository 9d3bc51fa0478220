# Lib's subprocess over _posixsubprocess.fork_exec: run, check_output, pipes both ways, cwd, env, return codes,
# the errors a failed start raises (with the file name), timeouts, pass_fds, std fd swaps, and fork_exec's own
# argument checks.
import os
import signal
import subprocess
import sys
import tempfile
import _posixsubprocess

print(subprocess.run(["true"]).returncode)
print(subprocess.run(["sh", "-c", "exit 3"]).returncode)
print(subprocess.check_output(["echo", "hello"]))
print(subprocess.check_output(["printf", "%s-%s", "a b", "c"], text=True))

# pipes both ways
p = subprocess.run(["cat"], input=b"abc\x00def", capture_output=True)
print(p.stdout, p.stderr, p.returncode)
p = subprocess.run(["tr", "a-z", "A-Z"], input="some text\n" * 3, capture_output=True, text=True)
print(repr(p.stdout))
big = b"x" * 300000
p = subprocess.run(["wc", "-c"], input=big, stdout=subprocess.PIPE)
print(p.stdout.strip())
p = subprocess.run(["sh", "-c", "echo out; echo err >&2"], capture_output=True)
print(p.stdout, p.stderr)
p = subprocess.run(["sh", "-c", "echo out; echo err >&2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
print(sorted(p.stdout.split()))
with subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
    out, _ = proc.communicate(b"through popen")
    print(out, proc.returncode)

# cwd and env
with tempfile.TemporaryDirectory() as d:
    real = os.path.realpath(d)
    p = subprocess.run(["pwd"], cwd=d, capture_output=True, text=True)
    print(p.stdout.strip() == real)
    with open(os.path.join(d, "script.sh"), "w") as f:
        f.write("echo from script\n")
    print(subprocess.run(["sh", "script.sh"], cwd=d, capture_output=True).stdout)
print(subprocess.run(["sh", "-c", "echo $FOO-$BAR"], env={"FOO": "foo", "BAR": "bar"}, capture_output=True).stdout)
print(subprocess.run(["env"], env={"ONLY": "1"}, capture_output=True).stdout)
os.environ["INVISIBLE_SUBPROCESS_TEST"] = "inherited"
print(subprocess.run(["sh", "-c", "echo $INVISIBLE_SUBPROCESS_TEST"], capture_output=True).stdout)

# shell
print(subprocess.run("echo $((6 * 7))", shell=True, capture_output=True).stdout)

# errors
try:
    subprocess.run(["/nonexistent/program", "arg"])
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename)
try:
    subprocess.run(["no-such-program-anywhere"])
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename)
try:
    subprocess.run(["ls"], cwd="/nonexistent/dir")
except FileNotFoundError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename)
try:
    subprocess.run(["ls"], cwd="/etc/passwd")
except NotADirectoryError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename)
try:
    subprocess.run(["/etc/passwd"])
except PermissionError as e:
    print(type(e).__name__, e.errno, e.strerror, e.filename)
try:
    subprocess.check_output(["sh", "-c", "echo partial; exit 5"])
except subprocess.CalledProcessError as e:
    print(e, e.returncode, e.output)
try:
    subprocess.run(["sleep", "10"], timeout=0.1)
except subprocess.TimeoutExpired as e:
    print("TimeoutExpired", e.cmd, 0 < e.timeout <= 0.1)
print(subprocess.run(["sh", "-c", "kill -TERM $$"]).returncode == -signal.SIGTERM)

# pass_fds: the kept descriptor is open in the child, the others are closed
r, w = os.pipe()
subprocess.run(["sh", "-c", "echo passed > /proc/self/fd/%d" % w], pass_fds=(w,))
os.close(w)
print(os.read(r, 100))
os.close(r)
r, w = os.pipe()
print(subprocess.run(["sh", "-c", "test -e /proc/self/fd/%d && echo open || echo closed" % w],
                     capture_output=True).stdout)
os.close(r)
os.close(w)

# std descriptors given as 0, 1, 2 in other places (the child's stderr is our stdout, and so on)
p = subprocess.run(["sh", "-c", "echo swapped >&2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
print(p.stdout)

# fork_exec's argument checks
def call(*args):
    try:
        _posixsubprocess.fork_exec(*args)
    except Exception as e:
        print(type(e).__name__, e)

call()
call(*([1] * 23))
none_args = [None, [b"/bin/true"], True, (), None, None, -1, -1, -1, -1, -1, -1, 2, 2, True, False, -1,
             None, None, None, -1, None, True]
call(*none_args)
args = list(none_args); args[12] = 10; args[13] = 11; args[3] = (5, 3)
call(*args)
args[3] = (-1,)
call(*args)
args[3] = ("x",)
call(*args)
try:
    _posixsubprocess.fork_exec(x=1)
except TypeError as e:
    print(e)
