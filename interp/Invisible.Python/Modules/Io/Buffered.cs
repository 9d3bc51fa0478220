using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.BufferedReader, BufferedWriter and BufferedRandom (CPython's Modules/_io/bufferedio.c) in one class:
/// a read buffer and a write buffer over a raw stream. The raw stream is any object with the raw methods (called by
/// name); a <see cref="FileIO"/> is called directly.</summary>
public sealed class Buffered : IoObject
{
    public static PyType ReaderType = null!, WriterType = null!, RandomType = null!;
    internal PyObject Raw = PyNone.Instance;
    private FileIO? _file;
    private bool _canRead, _canWrite, _detached, _ok;
    private int _size = IoModule.DefaultBufferSize;
    private byte[] _rbuf = Array.Empty<byte>();
    private int _rpos, _rlen;
    private byte[] _wbuf = Array.Empty<byte>();
    private int _wlen;

    public Buffered(PyType t) : base(t) { }

    private void Init(ReadOnlySpan<PyObject> a, PyStr[]? k, bool read, bool write)
    {
        var raw = Ops.Arg(a, k, 1, "raw") ?? throw Ops.TypeError($"{Type.Name}() missing required argument 'raw' (pos 1)");
        var bs = Ops.Arg(a, k, 2, "buffer_size");
        long size = bs == null ? IoModule.DefaultBufferSize : Ops.IndexValue(bs);
        if (size <= 0) throw Ops.ValueError("buffer size must be strictly positive");
        if (read && !Ops.IsTrue(Ops.CallMethod(raw, "readable"))) throw IoCommon.Unsupported("File or stream is not readable.");
        if (write && !Ops.IsTrue(Ops.CallMethod(raw, "writable"))) throw IoCommon.Unsupported("File or stream is not writable.");
        if (read && write && !Ops.IsTrue(Ops.CallMethod(raw, "seekable"))) throw IoCommon.Unsupported("File or stream is not seekable.");
        Raw = raw;
        _file = raw is FileIO f && !f.Type.IsHeap ? f : null;
        _canRead = read; _canWrite = write;
        _size = (int)Math.Min(size, int.MaxValue / 2);
        _rbuf = read ? new byte[_size] : Array.Empty<byte>();
        _wbuf = write ? new byte[_size] : Array.Empty<byte>();
        _rpos = _rlen = _wlen = 0;
        _detached = false;
        _ok = true;
    }

    private void CheckInit()
    {
        if (_detached) throw Ops.ValueError("raw stream has been detached");
        if (!_ok) throw Ops.ValueError("I/O operation on uninitialized object");
    }

    private bool RawClosed => _file != null ? _file.IsClosed : Ops.IsTrue(Ops.GetAttr(Raw, "closed"));

    private void CheckOpen(string what = "")
    {
        CheckInit();
        if (RawClosed) throw Ops.ValueError(what.Length > 0 ? what : "I/O operation on closed file.");
    }

    // ---------------- raw calls ----------------

    private int RawRead(Span<byte> dst)
    {
        if (_file != null) return _file.ReadInto(dst);
        var b = new PyByteArray(new byte[dst.Length]);
        var r = Ops.CallMethod(Raw, "readinto", b);
        if (r == PyNone.Instance) return -1;
        long n = Ops.IndexValue(r);
        if (n < 0 || n > dst.Length) throw Ops.OSError($"raw readinto() returned invalid length {n} (should have been between 0 and {dst.Length})");
        b.Buf.AsSpan(0, (int)n).CopyTo(dst);
        return (int)n;
    }

    private long RawWrite(ReadOnlySpan<byte> data)
    {
        if (_file != null) return _file.Write(data);
        var r = Ops.CallMethod(Raw, "write", new PyBytes(data.ToArray()));
        if (r == PyNone.Instance) return -1;
        long n = Ops.IndexValue(r);
        if (n < 0 || n > data.Length) throw Ops.OSError($"raw write() returned invalid length {n} (should have been between 0 and {data.Length})");
        return n;
    }

    private long RawSeek(long pos, int whence)
    {
        if (_file != null) return _file.Seek(pos, whence);
        var r = Ops.CallMethod(Raw, "seek", PyInt.Get(pos), PyInt.Get(whence));
        long n = Ops.IndexValue(r);
        if (n < 0) throw Ops.OSError($"Raw stream returned invalid position {n}");
        return n;
    }

    private long RawTell() => _file != null ? _file.Tell() : Ops.IndexValue(Ops.CallMethod(Raw, "tell"));

    // ---------------- buffer management ----------------

    internal void FlushWrites()
    {
        int done = 0;
        while (done < _wlen)
        {
            long n = RawWrite(_wbuf.AsSpan(done, _wlen - done));
            if (n < 0)
            {
                Array.Copy(_wbuf, done, _wbuf, 0, _wlen - done);
                _wlen -= done;
                throw new PyException(PyBaseException.Create(PyBaseException.All["BlockingIOError"], PyInt.Get(11), PyStr.Of("write could not complete without blocking"), PyInt.Zero));
            }
            done += (int)n;
        }
        _wlen = 0;
    }

    /// <summary>Before writing or seeking: the raw position moves back over what was read ahead and not consumed.</summary>
    private void DropReadAhead()
    {
        int unread = _rlen - _rpos;
        if (unread > 0) RawSeek(-unread, 1);
        _rpos = _rlen = 0;
    }

    /// <summary>One raw read into the (empty) read buffer: the count, 0 at EOF, -1 when non-blocking and empty.</summary>
    private int Fill()
    {
        if (_canWrite && _wlen > 0) FlushWrites();
        _rpos = 0;
        int n = RawRead(_rbuf);
        _rlen = Math.Max(n, 0);
        return n;
    }

    public PyObject Read(long n)
    {
        CheckOpen();
        if (!_canRead) throw IoCommon.Unsupported("read");
        if (_canWrite && _wlen > 0) FlushWrites();
        if (n < -1) throw Ops.ValueError("read length must be non-negative or -1");
        if (n < 0)
        {
            var ms = new System.IO.MemoryStream();
            ms.Write(_rbuf, _rpos, _rlen - _rpos);
            _rpos = _rlen = 0;
            PyObject rest;
            if (_file != null) rest = _file.ReadAll();
            else
            {
                var ra = Ops.GetAttrOrNull(Raw, PyStr.Intern("readall"));
                if (ra != null) rest = Ops.Call0(ra);
                else
                {
                    var acc = new System.IO.MemoryStream();
                    while (true)
                    {
                        var c = Ops.CallMethod(Raw, "read", PyInt.Get(_size));
                        if (c == PyNone.Instance) { if (acc.Length == 0 && ms.Length == 0) return PyNone.Instance; break; }
                        var s = IoCommon.Bytes(c);
                        if (s.Length == 0) break;
                        acc.Write(s);
                    }
                    rest = new PyBytes(acc.ToArray());
                }
            }
            if (rest == PyNone.Instance) return ms.Length == 0 ? PyNone.Instance : new PyBytes(ms.ToArray());
            ms.Write(IoCommon.Bytes(rest));
            return new PyBytes(ms.ToArray());
        }
        int avail = _rlen - _rpos;
        if (n <= avail)
        {
            var r = _rbuf.AsSpan(_rpos, (int)n).ToArray();
            _rpos += (int)n;
            return new PyBytes(r);
        }
        var result = new byte[n];
        int got = avail;
        Array.Copy(_rbuf, _rpos, result, 0, avail);
        _rpos = _rlen = 0;
        while (got < n)
        {
            int want = (int)(n - got);
            int r;
            if (want >= _size)
            {
                r = RawRead(result.AsSpan(got, want - want % _size == 0 ? want : want - want % _size));
                if (r > 0) { got += r; continue; }
            }
            else
            {
                r = Fill();
                if (r > 0)
                {
                    int take = Math.Min(r, want);
                    Array.Copy(_rbuf, 0, result, got, take);
                    _rpos = take;
                    got += take;
                    continue;
                }
            }
            if (r < 0 && got == 0) return PyNone.Instance;
            break;
        }
        return new PyBytes(got == n ? result : result.AsSpan(0, got).ToArray());
    }

    internal PyObject Read1(long n)
    {
        CheckOpen();
        if (!_canRead) throw IoCommon.Unsupported("read1");
        if (n < 0) n = _size;
        if (n == 0) return new PyBytes(Array.Empty<byte>());
        if (_rlen == _rpos)
        {
            if (n > _size)
            {
                if (_canWrite && _wlen > 0) FlushWrites();
                var buf = new byte[n];
                int r = RawRead(buf);
                if (r < 0) return PyNone.Instance;
                return new PyBytes(r == n ? buf : buf.AsSpan(0, r).ToArray());
            }
            if (Fill() < 0) return PyNone.Instance;
        }
        int take = (int)Math.Min(n, _rlen - _rpos);
        var res = _rbuf.AsSpan(_rpos, take).ToArray();
        _rpos += take;
        return new PyBytes(res);
    }

    private PyObject Peek()
    {
        CheckOpen();
        if (!_canRead) throw IoCommon.Unsupported("peek");
        if (_rlen == _rpos) Fill();
        return new PyBytes(_rbuf.AsSpan(_rpos, _rlen - _rpos).ToArray());
    }

    public PyObject ReadLine(long limit)
    {
        CheckOpen();
        if (!_canRead) throw IoCommon.Unsupported("readline");
        if (_canWrite && _wlen > 0) FlushWrites();
        System.IO.MemoryStream? acc = null;
        while (true)
        {
            int avail = _rlen - _rpos;
            if (avail > 0)
            {
                var span = _rbuf.AsSpan(_rpos, avail);
                int nl = span.IndexOf((byte)'\n');
                int take = nl >= 0 ? nl + 1 : avail;
                long have = acc?.Length ?? 0;
                if (limit >= 0 && have + take > limit) take = (int)(limit - have);
                bool done = (nl >= 0 && take == nl + 1) || (limit >= 0 && have + take >= limit);
                if (acc == null && done)
                {
                    var r = span.Slice(0, take).ToArray();
                    _rpos += take;
                    return new PyBytes(r);
                }
                acc ??= new System.IO.MemoryStream();
                acc.Write(span.Slice(0, take));
                _rpos += take;
                if (done) break;
            }
            else if (limit >= 0 && (acc?.Length ?? 0) >= limit) break;
            if (Fill() <= 0) break;
        }
        return new PyBytes(acc?.ToArray() ?? Array.Empty<byte>());
    }

    public long Write(ReadOnlySpan<byte> data)
    {
        CheckOpen("write to closed file");
        if (!_canWrite) throw IoCommon.Unsupported("write");
        if (_rlen > _rpos || _rlen > 0) DropReadAhead();
        if (_wlen + data.Length <= _size)
        {
            data.CopyTo(_wbuf.AsSpan(_wlen));
            _wlen += data.Length;
            return data.Length;
        }
        FlushWrites();
        if (data.Length >= _size)
        {
            int done = 0;
            while (done < data.Length)
            {
                long n = RawWrite(data.Slice(done));
                if (n < 0)
                {
                    throw new PyException(PyBaseException.Create(PyBaseException.All["BlockingIOError"], PyInt.Get(11), PyStr.Of("write could not complete without blocking"), PyInt.Get(done)));
                }
                done += (int)n;
            }
            return data.Length;
        }
        data.CopyTo(_wbuf);
        _wlen = data.Length;
        return data.Length;
    }

    public void Flush()
    {
        CheckOpen("flush of closed file");
        if (_canWrite) FlushWrites();
    }

    public long Seek(long pos, int whence)
    {
        CheckOpen();
        if (whence < 0 || whence > 4) throw Ops.ValueError($"whence value {whence} unsupported");
        if (_canWrite && _wlen > 0) FlushWrites();
        if (whence == 1)
        {
            int unread = _rlen - _rpos;
            // A relative seek inside the read buffer needs no system call.
            if (pos >= -_rpos && pos <= unread && _rlen > 0)
            {
                _rpos += (int)pos;
                return RawTell() - (_rlen - _rpos);
            }
            pos -= unread;
        }
        _rpos = _rlen = 0;
        return RawSeek(pos, whence);
    }

    public long Tell()
    {
        CheckInit();
        long p = RawTell() - (_rlen - _rpos) + _wlen;
        return p < 0 ? 0 : p;
    }

    public void Close()
    {
        CheckInit();
        if (RawClosed) return;
        PyException? err = null;
        try { if (_canWrite) FlushWrites(); }
        catch (PyException e) { err = e; }
        Ops.CallMethod(Raw, "close");
        _rpos = _rlen = 0;
        if (err != null) throw err;
    }

    ~Buffered()
    {
        // Unflushed data of a file object dropped without close() is written by the interpreter at exit, not here:
        // a finalizer must not run Python code (raw may be a Python object) and runs on another thread.
    }

    internal bool IsClosed => RawClosed;
    internal bool CanWrite => _canWrite;

    /// <summary>A BufferedReader or BufferedWriter over <paramref name="raw"/> made from C# (the standard streams).</summary>
    internal static Buffered Over(PyObject raw, bool write)
    {
        var b = new Buffered(write ? WriterType : ReaderType);
        b.Init(new PyObject[] { b, raw }, null, !write, write);
        return b;
    }

    public override string Repr()
    {
        string tn = "_io." + Type.Name;
        var name = _detached ? null : Ops.GetAttrOrNull(Raw, PyStr.Intern("name"));
        return name == null ? $"<{tn}>" : $"<{tn} name={Ops.Repr(name)}>";
    }

    public override PyObject? Next()
    {
        var line = ReadLine(-1);
        return Ops.Len(line) == 0 ? null : line;
    }

    private static Buffered B(PyObject o) => (Buffered)o;

    internal static void CreateTypes(PyType bufferedBase)
    {
        ReaderType = Make("BufferedReader", bufferedBase, true, false);
        WriterType = Make("BufferedWriter", bufferedBase, false, true);
        RandomType = Make("BufferedRandom", bufferedBase, true, true);
    }

    private static PyType Make(string name, PyType bufferedBase, bool read, bool write)
    {
        var t = IoCommon.MakeType(name, bufferedBase, (cls, a, k) => new Buffered(cls));
        t.AddMethod("__init__", (a, k) => { B(a[0]).Init(a, k, read, write); return PyNone.Instance; });
        if (read)
        {
            t.AddMethod("read", (a, k) => B(a[0]).Read(IoCommon.Size(a, k)));
            t.AddMethod("read1", (a, k) => B(a[0]).Read1(IoCommon.Size(a, k)));
            t.AddMethod("peek", (a, k) => B(a[0]).Peek());
            t.AddMethod("readline", (a, k) => B(a[0]).ReadLine(IoCommon.Size(a, k)));
            NativeFn readinto = (a, k) =>
            {
                var b = B(a[0]);
                if (a[1] is not PyByteArray target) throw Ops.TypeError($"readinto() argument must be read-write bytes-like object, not {a[1].Type.Name}");
                var data = b.Read(target.Count);
                if (data == PyNone.Instance) return PyNone.Instance;
                var span = IoCommon.Bytes(data);
                span.CopyTo(target.Buf);
                return PyInt.Get(span.Length);
            };
            t.AddMethod("readinto", readinto);
            t.AddMethod("readinto1", readinto);
            t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        }
        if (write)
        {
            t.AddMethod("write", (a, k) => PyInt.Get(B(a[0]).Write(IoCommon.Bytes(a[1]))));
        }
        t.AddMethod("flush", (a, k) => { B(a[0]).Flush(); return PyNone.Instance; });
        t.AddMethod("seek", (a, k) =>
        {
            var posArg = Ops.Arg(a, k, 1, "target") ?? throw Ops.TypeError("seek() missing required argument 'target' (pos 1)");
            if (posArg is PyFloat) throw Ops.TypeError("an integer is required");
            int whence = Ops.Arg(a, k, 2, "whence") is PyObject w ? (int)Ops.IndexValue(w) : 0;
            return PyInt.Get(B(a[0]).Seek(Ops.IndexValue(posArg), whence));
        });
        t.AddMethod("tell", (a, k) => PyInt.Get(B(a[0]).Tell()));
        t.AddMethod("truncate", (a, k) =>
        {
            var b = B(a[0]);
            b.CheckOpen();
            if (b._canWrite) b.FlushWrites();
            var s = Ops.Arg(a, k, 1, "pos");
            var pos = s == null || s == PyNone.Instance ? PyInt.Get(b.Tell()) : s;
            b._rpos = b._rlen = 0;
            return Ops.CallMethod(b.Raw, "truncate", pos);
        });
        t.AddMethod("close", (a, k) => { B(a[0]).Close(); return PyNone.Instance; });
        t.AddMethod("detach", (a, k) =>
        {
            var b = B(a[0]);
            b.CheckInit();
            b.Flush();
            var raw = b.Raw;
            b._detached = true;
            return raw;
        });
        t.AddMethod("fileno", (a, k) => { B(a[0]).CheckInit(); return Ops.CallMethod(B(a[0]).Raw, "fileno"); });
        t.AddMethod("isatty", (a, k) => { B(a[0]).CheckInit(); return Ops.CallMethod(B(a[0]).Raw, "isatty"); });
        t.AddMethod("readable", (a, k) => { B(a[0]).CheckInit(); return Ops.CallMethod(B(a[0]).Raw, "readable"); });
        t.AddMethod("writable", (a, k) => { B(a[0]).CheckInit(); return Ops.CallMethod(B(a[0]).Raw, "writable"); });
        t.AddMethod("seekable", (a, k) => { B(a[0]).CheckInit(); return Ops.CallMethod(B(a[0]).Raw, "seekable"); });
        t.AddMethod("_dealloc_warn", (a, k) => PyNone.Instance);
        t.AddMethod("__getstate__", (a, k) => throw Ops.TypeError($"cannot pickle '{a[0].Type.Name}' instances"));
        t.SetMember("raw", IoCommon.Prop("raw", o => { B(o).CheckInit(); return B(o).Raw; }));
        t.SetMember("closed", IoCommon.Prop("closed", o => { B(o).CheckInit(); return PyBool.Of(B(o).RawClosed); }));
        t.SetMember("name", IoCommon.Prop("name", o => { B(o).CheckInit(); return Ops.GetAttr(B(o).Raw, "name"); }));
        t.SetMember("mode", IoCommon.Prop("mode", o => { B(o).CheckInit(); return Ops.GetAttr(B(o).Raw, "mode"); }));
        return t;
    }
}
