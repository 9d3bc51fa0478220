using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.BytesIO (CPython's Modules/_io/bytesio.c): a growable in-memory byte buffer.</summary>
public sealed class BytesIO : IoObject
{
    public static PyType TypeObj = null!;
    private byte[] _buf = Array.Empty<byte>();
    private int _size, _pos;
    private bool _closed;

    public BytesIO(PyType t) : base(t) { }

    private void CheckOpen() { if (_closed) throw IoCommon.ClosedFile(); }

    private void Init(PyObject? initial)
    {
        CheckOpen();
        _size = _pos = 0;
        if (initial != null && initial != PyNone.Instance)
        {
            var span = IoCommon.Bytes(initial);
            _buf = span.ToArray();
            _size = span.Length;
        }
        else _buf = Array.Empty<byte>();
    }

    private ReadOnlySpan<byte> Take(long n)
    {
        CheckOpen();
        long avail = Math.Max(0, _size - _pos);
        if (n < 0 || n > avail) n = avail;
        var r = new ReadOnlySpan<byte>(_buf, _pos, (int)n);
        _pos += (int)n;
        return r;
    }

    private ReadOnlySpan<byte> Line(long limit)
    {
        CheckOpen();
        if (_pos >= _size) return ReadOnlySpan<byte>.Empty;
        var rest = new ReadOnlySpan<byte>(_buf, _pos, _size - _pos);
        int nl = rest.IndexOf((byte)'\n');
        long n = nl < 0 ? rest.Length : nl + 1;
        if (limit >= 0 && limit < n) n = limit;
        _pos += (int)n;
        return rest.Slice(0, (int)n);
    }

    private long Write(ReadOnlySpan<byte> data)
    {
        CheckOpen();
        if (data.Length == 0) return 0;
        long end = (long)_pos + data.Length;
        if (end > int.MaxValue) throw Ops.MemoryError();
        if (end > _buf.Length) Array.Resize(ref _buf, (int)Math.Max(end, Math.Min(int.MaxValue, (long)_buf.Length * 2)));
        if (_pos > _size) Array.Clear(_buf, _size, _pos - _size);
        data.CopyTo(_buf.AsSpan(_pos));
        _pos = (int)end;
        if (_pos > _size) _size = _pos;
        return data.Length;
    }

    private static BytesIO B(PyObject o) => (BytesIO)o;

    internal static PyType CreateType(PyType bufferedBase)
    {
        var t = IoCommon.MakeType("BytesIO", bufferedBase, (cls, a, k) => new BytesIO(cls));
        TypeObj = t;
        t.AddMethod("__init__", (a, k) => { B(a[0]).Init(Ops.Arg(a, k, 1, "initial_bytes")); return PyNone.Instance; });
        // The view shares the buffer (writes go through). Exports are not counted: a write that grows the buffer is not
        // refused with BufferError as in CPython; the view keeps the memory it was made over.
        t.AddMethod("getbuffer", (a, k) =>
        {
            var b = B(a[0]);
            b.CheckOpen();
            var shared = new PyByteArray(b._buf) { Count = b._size };
            return PyMemoryView.New(PyMemoryView.TypeObj, new PyObject[] { shared }, null);
        });
        t.AddMethod("getvalue", (a, k) => { var b = B(a[0]); b.CheckOpen(); return new PyBytes(b._buf.AsSpan(0, b._size).ToArray()); });
        NativeFn read = (a, k) => new PyBytes(B(a[0]).Take(IoCommon.Size(a, k)).ToArray());
        t.AddMethod("read", read);
        t.AddMethod("read1", read);
        t.AddMethod("readline", (a, k) => new PyBytes(B(a[0]).Line(IoCommon.Size(a, k)).ToArray()));
        t.AddMethod("readlines", (a, k) =>
        {
            var b = B(a[0]);
            long hint = IoCommon.Size(a, k, 1, "hint");
            var l = new PyList();
            long total = 0;
            while (true)
            {
                var line = b.Line(-1);
                if (line.Length == 0) break;
                l.Append(new PyBytes(line.ToArray()));
                total += line.Length;
                if (hint > 0 && total >= hint) break;
            }
            return l;
        });
        NativeFn readinto = (a, k) =>
        {
            var b = B(a[0]);
            if (a[1] is not PyByteArray target) throw Ops.TypeError($"readinto() argument must be read-write bytes-like object, not {a[1].Type.Name}");
            var data = b.Take(target.Count);
            data.CopyTo(target.Buf);
            return PyInt.Get(data.Length);
        };
        t.AddMethod("readinto", readinto);
        t.AddMethod("readinto1", readinto);
        t.AddMethod("write", (a, k) => PyInt.Get(B(a[0]).Write(IoCommon.Bytes(a[1]))));
        t.AddMethod("writelines", (a, k) =>
        {
            var b = B(a[0]);
            var it = Ops.GetIter(a[1]);
            while (Ops.Next(it) is PyObject x) b.Write(IoCommon.Bytes(x));
            return PyNone.Instance;
        });
        t.AddMethod("seek", (a, k) =>
        {
            var b = B(a[0]);
            var posArg = Ops.Arg(a, k, 1, "pos") ?? throw Ops.TypeError("seek() missing required argument 'pos' (pos 1)");
            long pos = Ops.IndexValue(posArg);
            int whence = Ops.Arg(a, k, 2, "whence") is PyObject w ? (int)Ops.IndexValue(w) : 0;
            b.CheckOpen();
            if (whence == 0) { if (pos < 0) throw Ops.ValueError($"negative seek value {pos}"); }
            else if (whence == 1) pos = Math.Max(0, b._pos + pos);
            else if (whence == 2) pos = Math.Max(0, b._size + pos);
            else throw Ops.ValueError($"invalid whence ({whence}, should be 0, 1 or 2)");
            b._pos = (int)Math.Min(pos, int.MaxValue);
            return PyInt.Get(b._pos);
        });
        t.AddMethod("tell", (a, k) => { var b = B(a[0]); b.CheckOpen(); return PyInt.Get(b._pos); });
        t.AddMethod("truncate", (a, k) =>
        {
            var b = B(a[0]);
            b.CheckOpen();
            var s = Ops.Arg(a, k, 1, "size");
            long size = s == null || s == PyNone.Instance ? b._pos : Ops.IndexValue(s);
            if (size < 0) throw Ops.ValueError($"negative size value {size}");
            if (size < b._size) b._size = (int)size;
            return PyInt.Get(size);
        });
        t.AddMethod("close", (a, k) => { B(a[0])._closed = true; B(a[0]).IoBaseClosed = true; return PyNone.Instance; });
        t.AddMethod("flush", (a, k) => { B(a[0]).CheckOpen(); return PyNone.Instance; });
        t.AddMethod("readable", (a, k) => { B(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("writable", (a, k) => { B(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("seekable", (a, k) => { B(a[0]).CheckOpen(); return PyBool.True; });
        t.AddMethod("isatty", (a, k) => { B(a[0]).CheckOpen(); return PyBool.False; });
        t.SetMember("closed", IoCommon.Prop("closed", o => PyBool.Of(B(o)._closed)));
        return t;
    }
}
