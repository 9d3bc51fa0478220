import io
buf = io.StringIO()
buf.write("hello ")
print("world", file=buf)
print(repr(buf.getvalue()))
r = io.StringIO("line1\nline2\n")
print(r.readline(), r.read(), [l for l in io.StringIO("a\nb")])
