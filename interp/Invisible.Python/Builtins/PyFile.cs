using System;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>sys.stdout/stderr/stdin over the host's text streams (open() makes <c>_io</c> objects).</summary>
public sealed class PyFile : PyObject
{
    public static PyType TypeObj = null!;
    public TextWriter? Writer;
    public TextReader? Reader;
    private Stream? _stream;
    public readonly bool Binary;
    public readonly string Name, Mode;
    public bool Closed;
    private readonly bool _ownsStream;

    public PyFile(string name, string mode, TextWriter? w, TextReader? r, Stream? s, bool binary, bool owns)
    {
        Name = name; Mode = mode; Writer = w; Reader = r; _stream = s; Binary = binary; _ownsStream = owns;
    }

    public override PyType Type => TypeObj;
    public override string Repr() => Binary ? $"<_io.BufferedReader name='{Name}'>" : $"<_io.TextIOWrapper name='{Name}' mode='{Mode}' encoding='utf-8'>";
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        var l = ReadLine();
        return l.Length == 0 ? null : PyStr.Of(l);
    }

    private void Check() { if (Closed) throw Ops.ValueError("I/O operation on closed file."); }

    public string ReadLine()
    {
        Check();
        if (Reader == null) throw Ops.Exc(PyBaseException.All["OSError"], "not readable");
        var sb = new StringBuilder();
        while (true)
        {
            int c = Reader.Read();
            if (c < 0) break;
            sb.Append((char)c);
            if (c == '\n') break;
        }
        return sb.ToString();
    }

    public void Write(string s)
    {
        Check();
        if (Writer == null) throw Ops.Exc(PyBaseException.All["OSError"], "not writable");
        Writer.Write(s);
    }

    public void Close()
    {
        if (Closed) return;
        Closed = true;
        if (!_ownsStream) { Writer?.Flush(); return; }
        Writer?.Flush();
        Writer?.Dispose();
        Reader?.Dispose();
        _stream?.Dispose();
    }

    private static PyFile F(PyObject o) => (PyFile)o;

    internal static void Init()
    {
        TypeObj = new PyType("TextIOWrapper", PyType.ObjectType, null) { ModuleName = "_io" };
        var t = TypeObj;
        t.AddMethod("read", (a, k) =>
        {
            var f = F(a[0]);
            f.Check();
            long n = a.Length > 1 && a[1] != PyNone.Instance ? Ops.IndexValue(a[1]) : -1;
            if (f.Binary)
            {
                var s = f._stream!;
                if (n < 0) { var ms = new MemoryStream(); s.CopyTo(ms); return new PyBytes(ms.ToArray()); }
                var buf = new byte[n]; int got = s.Read(buf, 0, (int)n);
                return new PyBytes(buf.AsSpan(0, got).ToArray());
            }
            if (f.Reader == null) throw Ops.Exc(PyBaseException.All["OSError"], "not readable");
            if (n < 0) return PyStr.Of(f.Reader.ReadToEnd());
            var cb = new char[n]; int c = f.Reader.ReadBlock(cb, 0, (int)n);
            return PyStr.Of(new string(cb, 0, c));
        });
        t.AddMethod("readline", (a, k) => PyStr.Of(F(a[0]).ReadLine()));
        t.AddMethod("readlines", (a, k) =>
        {
            var f = F(a[0]); var l = new PyList();
            while (true) { var s = f.ReadLine(); if (s.Length == 0) break; l.Append(PyStr.Of(s)); }
            return l;
        });
        t.AddMethod("write", (a, k) =>
        {
            var f = F(a[0]);
            if (f.Binary)
            {
                f.Check();
                var b = (PyBytes)a[1];
                f._stream!.Write(b.Span);
                return PyInt.Get(b.Span.Length);
            }
            if (a[1] is not PyStr s) throw Ops.TypeError($"write() argument must be str, not {a[1].Type.Name}");
            f.Write(s.Value);
            return PyInt.Get(s.Value.Length);
        });
        t.AddMethod("writelines", (a, k) => { var f = F(a[0]); foreach (var x in Ops.ToArray(a[1])) f.Write(Ops.Str(x)); return PyNone.Instance; });
        t.AddMethod("close", (a, k) => { F(a[0]).Close(); return PyNone.Instance; });
        t.AddMethod("flush", (a, k) => { F(a[0]).Writer?.Flush(); F(a[0])._stream?.Flush(); return PyNone.Instance; });
        t.AddMethod("__enter__", (a, k) => a[0]);
        t.AddMethod("__exit__", (a, k) => { F(a[0]).Close(); return PyBool.False; });
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        t.AddMethod("isatty", (a, k) => PyBool.False);
        t.AddMethod("fileno", (a, k) => PyInt.Get(F(a[0]).Name == "<stdout>" ? 1 : F(a[0]).Name == "<stderr>" ? 2 : 0));
        t.AddMethod("readable", (a, k) => PyBool.Of(F(a[0]).Reader != null));
        t.AddMethod("writable", (a, k) => PyBool.Of(F(a[0]).Writer != null));
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "name": return PyStr.Of(Name);
            case "mode": return PyStr.Of(Mode);
            case "closed": return PyBool.Of(Closed);
            case "encoding": return PyStr.Of("utf-8");
        }
        return base.GetAttrOrNull(name);
    }
}
