using System;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.StringIO (CPython's Modules/_io/stringio.c): an in-memory text stream with TextIOWrapper's newline
/// rules (newline='\n' by default: no translation; None: universal newlines on input, '\n' written).</summary>
public sealed class StringIO : IoObject
{
    public static PyType TypeObj = null!;
    private readonly StringBuilder _buf = new();
    private int _pos;
    private bool _closed;
    private string? _newline = "\n";
    private bool _translate, _universal;
    private int _seenNewlines; // 1 = \r, 2 = \n, 4 = \r\n (for .newlines)

    public StringIO(PyType t) : base(t) { }

    private void CheckOpen() { if (_closed) throw Ops.ValueError("I/O operation on closed file."); }

    private void Init(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var initial = Ops.Arg(a, k, 1, "initial_value");
        var nl = Ops.Arg(a, k, 2, "newline");
        if (nl == null) _newline = "\n";
        else if (nl == PyNone.Instance) _newline = null;
        else if (nl is PyStr s)
        {
            if (s.Value != "" && s.Value != "\n" && s.Value != "\r" && s.Value != "\r\n") throw Ops.ValueError($"illegal newline value: {Ops.Repr(s)}");
            _newline = s.Value;
        }
        else throw Ops.TypeError($"newline must be str or None, not {nl.Type.Name}");
        if (initial != null && initial != PyNone.Instance && initial is not PyStr)
            throw Ops.TypeError($"initial_value must be str or None, not {initial.Type.Name}");
        _universal = _newline == null || _newline == "";
        _translate = _newline == null;
        _buf.Clear();
        _pos = 0;
        _seenNewlines = 0;
        _closed = false;
        if (initial is PyStr iv && iv.Value.Length > 0) { Write(iv.Value); _pos = 0; }
    }

    private string Translate(string s)
    {
        // Input side: universal newlines (newline=None) turn \r\n and \r into \n; output side: \n becomes the
        // newline given ('\r' or '\r\n').
        if (_universal)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == '\r') { if (i + 1 < s.Length && s[i + 1] == '\n') { _seenNewlines |= 4; i++; } else _seenNewlines |= 1; }
                else if (s[i] == '\n') _seenNewlines |= 2;
            }
        }
        if (_translate && s.IndexOf('\r') >= 0) s = s.Replace("\r\n", "\n").Replace('\r', '\n');
        if (_newline != null && _newline.Length > 0 && _newline != "\n" && s.IndexOf('\n') >= 0) s = s.Replace("\n", _newline);
        return s;
    }

    internal int Write(string s)
    {
        CheckOpen();
        int n = s.Length;
        s = Translate(s);
        if (_pos > _buf.Length) _buf.Append('\0', _pos - _buf.Length);
        int overlap = Math.Min(s.Length, _buf.Length - _pos);
        if (overlap > 0) _buf.Remove(_pos, overlap);
        _buf.Insert(_pos, s);
        _pos += s.Length;
        return n;
    }

    private string Read(long n)
    {
        CheckOpen();
        int avail = Math.Max(0, _buf.Length - _pos);
        if (n < 0 || n > avail) n = avail;
        var r = _buf.ToString(_pos, (int)n);
        _pos += (int)n;
        return r;
    }

    private string ReadLine(long limit)
    {
        CheckOpen();
        if (_pos >= _buf.Length) return "";
        int end = _pos, len = _buf.Length;
        bool universalRead = _newline == "";
        string term = _translate || _newline == null ? "\n" : _newline;
        while (end < len)
        {
            char c = _buf[end];
            if (universalRead)
            {
                if (c == '\n') { end++; break; }
                if (c == '\r') { end++; if (end < len && _buf[end] == '\n') end++; break; }
            }
            else if (c == term[0] && (term.Length == 1 || (end + 1 < len && _buf[end + 1] == term[1]))) { end += term.Length; break; }
            end++;
        }
        int n = end - _pos;
        if (limit >= 0 && limit < n) n = (int)limit;
        var r = _buf.ToString(_pos, n);
        _pos += n;
        return r;
    }

    public override PyObject? Next()
    {
        var l = ReadLine(-1);
        return l.Length == 0 ? null : PyStr.Of(l);
    }

    private static StringIO S(PyObject o) => (StringIO)o;

    internal static PyType CreateType(PyType textBase)
    {
        var t = IoCommon.MakeType("StringIO", textBase, (cls, a, k) => new StringIO(cls));
        TypeObj = t;
        t.AddMethod("__init__", (a, k) => { S(a[0]).Init(a, k); return PyNone.Instance; });
        t.AddMethod("getvalue", (a, k) => { S(a[0]).CheckOpen(); return PyStr.Of(S(a[0])._buf.ToString()); });
        t.AddMethod("read", (a, k) => PyStr.Of(S(a[0]).Read(IoCommon.Size(a, k))));
        t.AddMethod("readline", (a, k) => PyStr.Of(S(a[0]).ReadLine(IoCommon.Size(a, k))));
        t.AddMethod("write", (a, k) =>
        {
            if (a.Length < 2 || a[1] is not PyStr s) throw Ops.TypeError($"string argument expected, got '{(a.Length < 2 ? "nothing" : a[1].Type.Name)}'");
            return PyInt.Get(S(a[0]).Write(s.Value));
        });
        t.AddMethod("seek", (a, k) =>
        {
            var s = S(a[0]);
            var posArg = Ops.Arg(a, k, 1, "pos") ?? throw Ops.TypeError("seek() missing required argument 'pos' (pos 1)");
            long pos = Ops.IndexValue(posArg);
            int whence = Ops.Arg(a, k, 2, "whence") is PyObject w ? (int)Ops.IndexValue(w) : 0;
            s.CheckOpen();
            if (whence < 0 || whence > 2) throw Ops.ValueError($"Invalid whence ({whence}, should be 0, 1 or 2)");
            if (whence == 0 && pos < 0) throw Ops.ValueError($"Negative seek position {pos}");
            if (whence != 0 && pos != 0) throw Ops.OSError("Can't do nonzero cur-relative seeks");
            if (whence == 1) pos = s._pos;
            else if (whence == 2) pos = s._buf.Length;
            s._pos = (int)Math.Min(pos, int.MaxValue);
            return PyInt.Get(s._pos);
        });
        t.AddMethod("tell", (a, k) => { S(a[0]).CheckOpen(); return PyInt.Get(S(a[0])._pos); });
        t.AddMethod("truncate", (a, k) =>
        {
            var s = S(a[0]);
            s.CheckOpen();
            var sz = Ops.Arg(a, k, 1, "pos");
            long size = sz == null || sz == PyNone.Instance ? s._pos : Ops.IndexValue(sz);
            if (size < 0) throw Ops.ValueError($"Negative size value {size}");
            if (size < s._buf.Length) s._buf.Length = (int)size;
            return PyInt.Get(size);
        });
        t.AddMethod("close", (a, k) => { S(a[0])._closed = true; S(a[0]).IoBaseClosed = true; return PyNone.Instance; });
        t.AddMethod("readable", (a, k) => { S(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("writable", (a, k) => { S(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("seekable", (a, k) => { S(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        t.SetMember("closed", IoCommon.Prop("closed", o => PyBool.Of(S(o)._closed)));
        t.SetMember("line_buffering", IoCommon.Prop("line_buffering", o => PyBool.False));
        t.SetMember("newlines", IoCommon.Prop("newlines", o =>
        {
            var s = S(o);
            if (!s._universal) return PyNone.Instance;
            return NewlinesValue(s._seenNewlines);
        }));
        return t;
    }

    internal static PyObject NewlinesValue(int seen)
    {
        switch (seen)
        {
            case 0: return PyNone.Instance;
            case 1: return PyStr.Of("\r");
            case 2: return PyStr.Of("\n");
            case 4: return PyStr.Of("\r\n");
        }
        var l = new System.Collections.Generic.List<PyObject>();
        if ((seen & 1) != 0) l.Add(PyStr.Of("\r"));
        if ((seen & 2) != 0) l.Add(PyStr.Of("\n"));
        if ((seen & 4) != 0) l.Add(PyStr.Of("\r\n"));
        return new PyTuple(l.ToArray());
    }
}
