# sys.stdin/stdout/stderr are _io objects, as CPython's create_stdio makes them: TextIOWrapper over
# BufferedWriter/BufferedReader over FileIO(0/1/2), utf-8, errors strict (stderr: backslashreplace).
import io
import sys

out, err, inp = sys.stdout, sys.stderr, sys.stdin
# -u (PYTHONUNBUFFERED) makes the writers' buffer the FileIO itself: look through either
unbuffered = sys.flags.unbuffered if hasattr(sys.flags, "unbuffered") else isinstance(out.buffer, io.FileIO)
raw = out.buffer if isinstance(out.buffer, io.FileIO) else out.buffer.raw
print(type(out).__name__, type(raw).__name__, type(inp.buffer).__name__, type(inp.buffer.raw).__name__)
print(isinstance(out, io.TextIOWrapper), isinstance(out.buffer, (io.BufferedWriter, io.FileIO)), isinstance(raw, io.FileIO))
print(isinstance(inp.buffer, io.BufferedReader), isinstance(out, io.TextIOBase))
print(repr(out))
print(repr(err))
print(repr(inp))
print(repr(raw), repr(inp.buffer))
print(out.name, err.name, inp.name, out.mode, err.mode, inp.mode, raw.mode, inp.buffer.raw.mode)
print(out.encoding, out.errors, err.encoding, err.errors, inp.encoding, inp.errors)
print(raw.closefd, out.write_through == isinstance(out.buffer, io.FileIO), out.isatty(), inp.isatty())
print(out.fileno(), err.fileno(), inp.fileno(), out.buffer.fileno(), raw.fileno())
print(out.writable(), out.readable(), inp.readable(), inp.writable())
print(sys.__stdout__ is out, sys.__stderr__ is err, sys.__stdin__ is inp)

# text and bytes in order (flush between them, as with CPython)
out.write("text, ")
out.flush()
out.buffer.write(b"bytes \xc3\xa9\xe2\x82\xac, ")
out.buffer.write("caf\u00e9\n".encode())
out.buffer.flush()
n = out.write("abc\n")
out.flush()
m = out.buffer.write(b"xy\n")
out.buffer.flush()
print("write returns", n, m)
out.flush()

# a wrapper of our own over sys.stdout.buffer, another encoding
w = io.TextIOWrapper(out.buffer, encoding="utf-8", write_through=True)
w.write("through a second wrapper: \u20ac\n")
w.flush()
w.detach()

# reconfigure
out.reconfigure(errors="replace")
print(out.errors)
print("lone surrogate: \udc80")
out.reconfigure(errors="strict")
try:
    print("\udc80")
except UnicodeEncodeError as e:
    print("UnicodeEncodeError", e.reason, e.start, e.end)
out.reconfigure(line_buffering=True)
print(out.line_buffering)
out.reconfigure(line_buffering=False)

# stderr's backslashreplace: the text goes to stderr (not compared), the call returns its length
print(err.write("\udc80\n"))
err.flush()

# stdin through the buffer
print(repr(inp.readline()))
print(repr(inp.buffer.read(4)))
print(repr(inp.read()))

# stdout replaced by a StringIO and restored
sys.stdout = io.StringIO()
print("captured")
captured = sys.stdout.getvalue()
sys.stdout = out
print(repr(captured))

# closed stdout
sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
sys.stdout.close()
try:
    print("x")
except ValueError as e:
    msg = str(e)
sys.stdout = out
print(msg)
print("end")
