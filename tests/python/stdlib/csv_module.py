# _csv through Lib's csv: dialects and their validation, the reader's state machine (quotes, escapes,
# newlines in quoted fields, strict mode, QUOTE_NONNUMERIC), the writer's quoting rules, DictReader/DictWriter.
import csv
import io

def err(f, *a, **k):
    try:
        r = f(*a, **k)
        print("ok", r if not isinstance(r, csv.Dialect.__mro__[0]) else "")
    except Exception as e:
        print(type(e).__name__, e)

def rows(text, **fmt):
    try:
        return list(csv.reader(io.StringIO(text, newline=""), **fmt))
    except (csv.Error, ValueError) as e:
        return "%s: %s" % (type(e).__name__, e)

def out(rows_, **fmt):
    f = io.StringIO()
    w = csv.writer(f, **fmt)
    for r in rows_:
        w.writerow(r)
    return f.getvalue()

print(csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE, csv.__version__)
print(sorted(csv.list_dialects()))
d = csv.get_dialect("excel")
print(repr(d.delimiter), d.doublequote, d.escapechar, repr(d.lineterminator), d.quotechar, d.quoting, d.skipinitialspace, d.strict)
for kw in [dict(delimiter=1), dict(delimiter="ab"), dict(delimiter=""), dict(quotechar=1), dict(quotechar="ab"),
           dict(quoting=9), dict(quoting="a"), dict(lineterminator=None), dict(lineterminator=1), dict(escapechar="ab"),
           dict(escapechar=1), dict(foo=1)]:
    try:
        csv.reader([], **kw)
        print("ok", kw)
    except Exception as e:
        print(type(e).__name__, e)
print(csv.reader([], quotechar=None).dialect.quoting)
err(csv.get_dialect, "nope")
err(csv.unregister_dialect, "nope")
csv.register_dialect("semi", delimiter=";", quoting=csv.QUOTE_ALL)
print(csv.get_dialect("semi").delimiter, "semi" in csv.list_dialects())
csv.unregister_dialect("semi")
print("semi" in csv.list_dialects())
try:
    csv.get_dialect("excel").delimiter = ";"
except AttributeError:
    print("AttributeError")

print(rows('a,b,c\r\n1,2,3\r\n'))
print(rows('"a,b","c""d",e\n'))
print(rows('"multi\nline",x\n'))
print(rows('"x"y,z\n'))
print(rows('"x"y,z\n', strict=True))
print(rows('"open', strict=True))
print(rows('"open'))
print(rows('a\\,b,c\n', escapechar="\\"))
print(rows('a, b,  c\n', skipinitialspace=True))
print(rows('1,2.5,"x"\n', quoting=csv.QUOTE_NONNUMERIC))
print(rows('1,abc\n', quoting=csv.QUOTE_NONNUMERIC))
print(rows('a|b\n', delimiter="|"))
print(rows('\n\na,b\n'))
print(rows('a,"b\rc"\r\n'))
print(rows('a,b\rc,d\r'))
print(rows("'a',b\n", quotechar="'"))
print(rows('a"b,c\n', quoting=csv.QUOTE_NONE))
r = csv.reader(["a,b", "c,d"])
print(next(r), r.line_num, next(r), r.line_num, r.dialect.delimiter)
err(csv.reader, 1)
err(lambda: next(csv.reader([b"bytes"])))
old = csv.field_size_limit(5)
print(old, rows("abcdef\n"), csv.field_size_limit(old))
err(csv.field_size_limit, "x")

print(repr(out([[1, "a,b", 'q"', None, 2.5, ""]])))
print(repr(out([["a"], [""], [], [None]])))
print(repr(out([["a b", "c"]], quoting=csv.QUOTE_ALL)))
print(repr(out([[1, "x", 2.5, None, True]], quoting=csv.QUOTE_NONNUMERIC)))
print(repr(out([["a,b", 'c"d']], quoting=csv.QUOTE_NONE, escapechar="\\")))
print(repr(out([["a\nb", "c\rd"]])))
print(repr(out([['q"x']], doublequote=False, escapechar="\\")))
print(repr(out([["x"]], lineterminator="\n", delimiter="\t")))
err(out, [["a,b"]], quoting=csv.QUOTE_NONE)
err(out, [[""]], quoting=csv.QUOTE_NONE)
err(out, [1])
err(out, [['q"x']], doublequote=False)
err(csv.writer, 1)
f = io.StringIO()
print(csv.writer(f).writerow(["a", "b"]), csv.writer(f).writerows([["c"], ["d"]]), repr(f.getvalue()))

f = io.StringIO()
w = csv.DictWriter(f, fieldnames=["name", "n"])
w.writeheader()
w.writerows([{"name": "x", "n": 1}, {"name": "y,z", "n": 2}])
print(repr(f.getvalue()))
for row in csv.DictReader(io.StringIO(f.getvalue())):
    print(row)
class MyDialect(csv.Dialect):
    delimiter = ":"
    quotechar = "'"
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
print(repr(out([["a:b", "c"]], dialect=MyDialect)))
