using System;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>
/// _io.TextIOWrapper (CPython's Modules/_io/textio.c): text over a buffered binary stream. Decoded text is kept as
/// decoded (before newline translation), so tell() is the buffer's position minus the bytes of what is not consumed
/// yet (re-encoded) minus the undecoded tail; translation happens as characters are handed out.
/// </summary>
public sealed class TextIOWrapper : IoObject
{
    public static PyType TypeObj = null!;
    private const int ChunkSize = 8192;

    internal PyObject Buffer = PyNone.Instance;
    private Buffered? _fast;
    private TextCodec _codec = null!;
    private string _encoding = "utf-8", _errors = "strict";
    private string? _newline;            // null: universal + translate; "": universal; else that terminator
    private bool _lineBuffering, _writeThrough, _ok, _detached, _hasRead1;
    private bool _seekable, _telling;
    private string _decoded = "";
    private int _dpos;
    private byte[] _pendingBytes = Array.Empty<byte>();
    private bool _pendingCR;             // translate mode: a '\r' was handed out as '\n'; skip a '\n' that follows
    private int _seen;                   // newlines seen (1 \r, 2 \n, 4 \r\n)
    private bool _eof;

    public TextIOWrapper(PyType t) : base(t) { }

    /// <summary>sys.stdin/stdout/stderr as CPython's create_stdio makes them: over <paramref name="buffer"/>, newline
    /// '\n', the stream's <paramref name="errors"/> handler, and <c>mode</c> set as an attribute.</summary>
    internal static TextIOWrapper ForStdio(PyObject buffer, string errors, bool lineBuffering, bool writeThrough, string mode)
    {
        var w = new TextIOWrapper(TypeObj);
        w.Init(new PyObject[] { w, buffer, PyStr.Of("utf-8"), PyStr.Of(errors), PyStr.Of("\n"), PyBool.Of(lineBuffering), PyBool.Of(writeThrough) }, null);
        w.Dict!.SetItem(PyStr.Intern("mode"), PyStr.Of(mode));
        return w;
    }

    private void CheckInit()
    {
        if (_detached) throw Ops.ValueError("underlying buffer has been detached");
        if (!_ok) throw Ops.ValueError("I/O operation on uninitialized object");
    }

    private bool BufferClosed => _fast != null ? _fast.IsClosed : Ops.IsTrue(Ops.GetAttr(Buffer, "closed"));

    private void CheckOpen()
    {
        CheckInit();
        if (BufferClosed) throw IoCommon.ClosedFile();
    }

    private static string? StrOrNone(PyObject? o, string what)
    {
        if (o == null || o == PyNone.Instance) return null;
        if (o is PyStr s) return s.Value;
        throw Ops.TypeError($"TextIOWrapper() argument '{what}' must be str or None, not {o.Type.Name}");
    }

    private void Init(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var buffer = Ops.Arg(a, k, 1, "buffer") ?? throw Ops.TypeError("TextIOWrapper() missing required argument 'buffer' (pos 1)");
        string? encoding = StrOrNone(Ops.Arg(a, k, 2, "encoding"), "encoding");
        string? errors = StrOrNone(Ops.Arg(a, k, 3, "errors"), "errors");
        var nlArg = Ops.Arg(a, k, 4, "newline");
        string? newline = nlArg == null ? null : StrOrNone(nlArg, "newline");
        bool lineBuffering = Ops.Arg(a, k, 5, "line_buffering") is PyObject lb && Ops.IsTrue(lb);
        bool writeThrough = Ops.Arg(a, k, 6, "write_through") is PyObject wt && Ops.IsTrue(wt);
        if (newline != null && newline != "" && newline != "\n" && newline != "\r" && newline != "\r\n")
            throw Ops.ValueError($"illegal newline value: {newline}");
        if (encoding != null && encoding.IndexOf('\0') >= 0) throw Ops.ValueError("embedded null character");
        if (encoding == null || encoding == "locale") encoding = IoModule.PreferredEncoding;
        errors ??= "strict";
        var codec = TextCodec.Lookup(encoding, errors) ?? throw new PyException(PyBaseException.Create(PyBaseException.LookupErrorType, PyStr.Of($"unknown encoding: {encoding}")));
        Buffer = buffer;
        _fast = buffer is Buffered b && !b.Type.IsHeap ? b : null;
        _codec = codec;
        _encoding = encoding;
        _errors = errors;
        _newline = newline;
        _lineBuffering = lineBuffering;
        _writeThrough = writeThrough;
        _hasRead1 = Ops.GetAttrOrNull(buffer, PyStr.Intern("read1")) != null;
        _seekable = _telling = Ops.IsTrue(Ops.CallMethod(buffer, "seekable"));
        _decoded = ""; _dpos = 0; _pendingBytes = Array.Empty<byte>(); _pendingCR = false; _seen = 0; _eof = false;
        _detached = false;
        _ok = true;
        Dict!.Remove(PyStr.Intern("mode"));
    }

    // ---------------- reading ----------------

    private bool Translate => _newline == null;
    private bool Universal => _newline == null || _newline == "";

    /// <summary>Reads and decodes one more chunk onto what is left of the decoded text; false at EOF.</summary>
    private bool ReadChunk(bool all = false)
    {
        PyObject data;
        if (all) data = Ops.CallMethod(Buffer, "read");
        else if (_fast != null) data = _fast.Read1(ChunkSize); // one raw read at most: a tty or pipe gives what it has
        else data = _hasRead1 ? Ops.CallMethod(Buffer, "read1", PyInt.Get(ChunkSize)) : Ops.CallMethod(Buffer, "read", PyInt.Get(ChunkSize));
        if (data == PyNone.Instance) return false;
        if (data is not PyBytes pb)
            throw Ops.TypeError($"underlying {(all ? "read()" : _hasRead1 ? "read1()" : "read()")} should have returned a bytes-like object, not '{data.Type.Name}'");
        var bytes = pb.Span;
        bool eof = bytes.Length == 0;
        ReadOnlySpan<byte> input;
        byte[]? joined = null;
        if (_pendingBytes.Length > 0)
        {
            joined = new byte[_pendingBytes.Length + bytes.Length];
            _pendingBytes.CopyTo(joined, 0);
            bytes.CopyTo(joined.AsSpan(_pendingBytes.Length));
            input = joined;
        }
        else input = bytes;
        int complete = eof ? input.Length : _codec.CompleteLength(input);
        string text = _codec.Decode(input.Slice(0, complete));
        _pendingBytes = input.Slice(complete).ToArray();
        _decoded = _dpos < _decoded.Length ? _decoded.Substring(_dpos) + text : text;
        _dpos = 0;
        _eof = eof;
        return !eof || text.Length > 0;
    }

    /// <summary>Moves up to <paramref name="n"/> characters (after translation) into <paramref name="sb"/>.</summary>
    private void Take(StringBuilder sb, long n, int rawEnd = int.MaxValue)
    {
        while (n < 0 || sb.Length < n)
        {
            if (_dpos >= _decoded.Length || _dpos >= rawEnd) return;
            if (_pendingCR)
            {
                _pendingCR = false;
                if (_decoded[_dpos] == '\n') { _dpos++; _seen |= 4; _seen &= ~1 | (_seenBeforeCR ? 1 : 0); continue; }
            }
            int end = n < 0 ? _decoded.Length : (int)Math.Min(_decoded.Length, _dpos + (n - sb.Length));
            if (end > rawEnd) end = rawEnd;
            if (!Translate)
            {
                if (Universal) NoteNewlines(_dpos, end);
                sb.Append(_decoded, _dpos, end - _dpos);
                _dpos = end;
                continue;
            }
            int cr = _decoded.IndexOf('\r', _dpos, end - _dpos);
            if (cr < 0)
            {
                NoteNewlines(_dpos, end);
                sb.Append(_decoded, _dpos, end - _dpos);
                _dpos = end;
                continue;
            }
            NoteNewlines(_dpos, cr);
            sb.Append(_decoded, _dpos, cr - _dpos);
            sb.Append('\n');
            _dpos = cr + 1;
            if (_dpos < _decoded.Length)
            {
                if (_decoded[_dpos] == '\n') { _dpos++; _seen |= 4; } else _seen |= 1;
            }
            else
            {
                _seenBeforeCR = (_seen & 1) != 0;
                _seen |= 1;
                _pendingCR = true;
            }
        }
    }

    private bool _seenBeforeCR;

    private void NoteNewlines(int from, int to)
    {
        if (!Universal) return;
        for (int i = _decoded.IndexOfAny(NewlineChars, from, to - from); i >= 0 && i < to; i = i + 1 < to ? _decoded.IndexOfAny(NewlineChars, i + 1, to - i - 1) : -1)
        {
            if (_decoded[i] == '\n') _seen |= 2;
            else if (i + 1 < _decoded.Length && _decoded[i + 1] == '\n') { _seen |= 4; i++; if (i + 1 >= to) break; }
            else _seen |= 1;
        }
    }

    private static readonly char[] NewlineChars = { '\r', '\n' };

    private void CheckReadable()
    {
        CheckOpen();
        if (!Ops.IsTrue(Ops.CallMethod(Buffer, "readable"))) throw IoCommon.Unsupported("not readable");
    }

    public string Read(long n)
    {
        CheckReadable();
        FlushWrites();
        var sb = new StringBuilder();
        if (n < 0)
        {
            Take(sb, -1);
            ReadChunk(all: true);
            Take(sb, -1);
            return sb.ToString();
        }
        while (sb.Length < n)
        {
            Take(sb, n);
            if (sb.Length >= n) break;
            if (!ReadChunk()) break;
        }
        return sb.ToString();
    }

    public string ReadLine(long limit)
    {
        CheckReadable();
        FlushWrites();
        var sb = new StringBuilder();
        while (true)
        {
            if (_dpos >= _decoded.Length && !ReadChunk()) break;
            if (_pendingCR && _dpos < _decoded.Length)
            {
                _pendingCR = false;
                if (_decoded[_dpos] == '\n') { _dpos++; _seen |= 4; if (!_seenBeforeCR) _seen &= ~1; continue; }
            }
            int end = FindLineEnd(out bool needMore);
            if (end >= 0)
            {
                Take(sb, limit, end);
                // Take stops after a translated '\r' at the end of the decoded text: the line is complete anyway.
                return sb.ToString();
            }
            if (limit >= 0 && sb.Length + (_decoded.Length - _dpos) >= limit)
            {
                Take(sb, limit);
                return sb.ToString();
            }
            if (needMore)
            {
                // A '\r' ends the decoded text: whether "\r\n" follows decides in universal-newline mode.
                if (!ReadChunkKeeping()) { Take(sb, -1); break; }
                continue;
            }
            Take(sb, -1);
        }
        return sb.ToString();
    }

    /// <summary>Reads another chunk without dropping the undelivered text (ReadChunk keeps it).</summary>
    private bool ReadChunkKeeping() => ReadChunk() && _dpos < _decoded.Length;

    /// <summary>The index just past the first line end in the decoded text from the read position, or -1;
    /// <paramref name="needMore"/> when a '\r' at the very end may be the start of "\r\n".</summary>
    private int FindLineEnd(out bool needMore)
    {
        needMore = false;
        var s = _decoded;
        if (Universal)
        {
            int i = s.IndexOfAny(NewlineChars, _dpos);
            if (i < 0) return -1;
            if (s[i] == '\n') return i + 1;
            if (i + 1 < s.Length) return s[i + 1] == '\n' ? i + 2 : i + 1;
            if (_eof) return i + 1;
            needMore = true;
            return -1;
        }
        if (_newline == "\r\n")
        {
            int i = s.IndexOf("\r\n", _dpos, StringComparison.Ordinal);
            if (i >= 0) return i + 2;
            if (s.Length > _dpos && s[^1] == '\r' && !_eof) needMore = true;
            return -1;
        }
        int j = s.IndexOf(_newline![0], _dpos);
        return j < 0 ? -1 : j + 1;
    }

    public override PyObject? Next()
    {
        _telling = false;
        var l = ReadLine(-1);
        if (l.Length == 0) { _telling = _seekable; return null; }
        return PyStr.Of(l);
    }

    // ---------------- writing ----------------

    private long _written;
    /// <summary>Flush the buffer after every write (the standard streams once the host's C exit handlers run).</summary>
    internal bool FlushEachWrite;   // whether anything went out since position 0 (the BOM of utf-16/utf-32/utf-8-sig)

    private void FlushWrites() { }

    public int Write(string s)
    {
        CheckOpen();
        if (!(_fast != null ? _fast.CanWrite : Ops.IsTrue(Ops.CallMethod(Buffer, "writable")))) throw IoCommon.Unsupported("not writable");
        int n = s.Length;
        bool hasLf = s.IndexOf('\n') >= 0;
        bool needFlush = _lineBuffering && (hasLf || s.IndexOf('\r') >= 0);
        if (hasLf && _newline != null && _newline.Length > 0 && _newline != "\n") s = s.Replace("\n", _newline);
        // Drop read-ahead: the buffer position must be where the text reader is.
        if (_dpos < _decoded.Length || _pendingBytes.Length > 0) RewindReadAhead();
        bool atStart = _written == 0 && NeedsBom();
        var bytes = _codec.Encode(s, atStart);
        _written += bytes.Length;
        if (_fast != null) _fast.Write(bytes);
        else Ops.CallMethod(Buffer, "write", new PyBytes(bytes));
        if (needFlush || FlushEachWrite)
        {
            if (_fast != null) _fast.Flush();
            else Ops.CallMethod(Buffer, "flush");
        }
        _decoded = ""; _dpos = 0;
        return n;
    }

    /// <summary>flush(): the text layer's and the buffer's (called from C# for the standard streams).</summary>
    internal void FlushAll()
    {
        CheckOpen();
        _telling = _seekable;
        if (_fast != null) _fast.Flush();
        else Ops.CallMethod(Buffer, "flush");
    }

    /// <summary>The buffer under this stream is closed (or detached): flushing it would raise.</summary>
    internal bool IsClosedStream => _detached || !_ok || BufferClosed;

    private bool NeedsBom()
    {
        if (_codec.Name != "utf-16" && _codec.Name != "utf-32" && _codec.Name != "utf-8-sig") return false;
        if (!_seekable) return true;
        return Ops.IndexValue(Ops.CallMethod(Buffer, "tell")) == 0;
    }

    private void RewindReadAhead()
    {
        if (!_seekable) { _decoded = ""; _dpos = 0; _pendingBytes = Array.Empty<byte>(); return; }
        long pos = TellCore();
        Ops.CallMethod(Buffer, "seek", PyInt.Get(pos));
        _decoded = ""; _dpos = 0; _pendingBytes = Array.Empty<byte>(); _pendingCR = false;
    }

    // ---------------- positioning ----------------

    private long TellCore()
    {
        long pos = Ops.IndexValue(Ops.CallMethod(Buffer, "tell"));
        if (_dpos < _decoded.Length) pos -= _codec.Encode(_decoded.Substring(_dpos), false).Length;
        pos -= _pendingBytes.Length;
        return pos;
    }

    public long Tell()
    {
        CheckOpen();
        if (!_seekable) throw IoCommon.Unsupported("underlying stream is not seekable");
        if (!_telling) throw Ops.OSError("telling position disabled by next() call");
        Ops.CallMethod(this, "flush");
        return TellCore();
    }

    public long Seek(PyObject cookieObj, int whence)
    {
        CheckOpen();
        if (!_seekable) throw IoCommon.Unsupported("underlying stream is not seekable");
        long cookie = Ops.IndexValue(cookieObj);
        if (whence == 1)
        {
            if (cookie != 0) throw IoCommon.Unsupported("can't do nonzero cur-relative seeks");
            return Tell();
        }
        if (whence == 2)
        {
            if (cookie != 0) throw IoCommon.Unsupported("can't do nonzero end-relative seeks");
            Ops.CallMethod(this, "flush");
            Reset();
            long r = Ops.IndexValue(Ops.CallMethod(Buffer, "seek", PyInt.Zero, PyInt.Get(2)));
            _written = r;
            return r;
        }
        if (whence != 0) throw Ops.ValueError($"invalid whence ({whence}, should be 0, 1 or 2)");
        if (cookie < 0) throw Ops.ValueError($"negative seek position {cookie}");
        Ops.CallMethod(this, "flush");
        Reset();
        Ops.CallMethod(Buffer, "seek", PyInt.Get(cookie));
        _written = cookie;
        return cookie;
    }

    private void Reset()
    {
        _decoded = ""; _dpos = 0; _pendingBytes = Array.Empty<byte>(); _pendingCR = false; _eof = false;
        _codec.Reset();
    }

    public override string Repr()
    {
        var sb = new StringBuilder("<_io.").Append(Type.Name);
        if (_ok && !_detached)
        {
            var name = Ops.GetAttrOrNull(this, PyStr.Intern("name"));
            if (name != null) sb.Append(" name=").Append(Ops.Repr(name));
            var mode = Ops.GetAttrOrNull(this, PyStr.Intern("mode"));
            if (mode != null) sb.Append(" mode=").Append(Ops.Repr(mode));
            sb.Append(" encoding=").Append(Ops.Repr(PyStr.Of(_encoding)));
        }
        return sb.Append('>').ToString();
    }

    private static TextIOWrapper T(PyObject o) => (TextIOWrapper)o;

    internal static PyType CreateType(PyType textBase)
    {
        var t = IoCommon.MakeType("TextIOWrapper", textBase, (cls, a, k) => new TextIOWrapper(cls));
        TypeObj = t;
        t.AddMethod("__init__", (a, k) => { T(a[0]).Init(a, k); return PyNone.Instance; });
        t.AddMethod("read", (a, k) => PyStr.Of(T(a[0]).Read(IoCommon.Size(a, k))));
        t.AddMethod("readline", (a, k) => PyStr.Of(T(a[0]).ReadLine(IoCommon.Size(a, k))));
        t.AddMethod("write", (a, k) =>
        {
            if (a.Length < 2 || a[1] is not PyStr s) throw Ops.TypeError($"write() argument must be str, not {(a.Length < 2 ? "nothing" : a[1].Type.Name)}");
            return PyInt.Get(T(a[0]).Write(s.Value));
        });
        t.AddMethod("flush", (a, k) =>
        {
            var w = T(a[0]);
            w.CheckOpen();
            w._telling = w._seekable;
            Ops.CallMethod(w.Buffer, "flush");
            return PyNone.Instance;
        });
        t.AddMethod("close", (a, k) =>
        {
            var w = T(a[0]);
            w.CheckInit();
            if (w.BufferClosed) return PyNone.Instance;
            try { Ops.CallMethod(a[0], "flush"); }
            finally { Ops.CallMethod(w.Buffer, "close"); }
            return PyNone.Instance;
        });
        t.AddMethod("tell", (a, k) => PyInt.Get(T(a[0]).Tell()));
        t.AddMethod("seek", (a, k) =>
        {
            var cookie = Ops.Arg(a, k, 1, "cookie") ?? throw Ops.TypeError("seek() missing required argument 'cookie' (pos 1)");
            int whence = Ops.Arg(a, k, 2, "whence") is PyObject w ? (int)Ops.IndexValue(w) : 0;
            return PyInt.Get(T(a[0]).Seek(cookie, whence));
        });
        t.AddMethod("truncate", (a, k) =>
        {
            var w = T(a[0]);
            Ops.CallMethod(a[0], "flush");
            var pos = Ops.Arg(a, k, 1, "pos");
            pos = pos == null || pos == PyNone.Instance ? PyInt.Get(w.TellCore()) : pos;
            return Ops.CallMethod(w.Buffer, "truncate", pos);
        });
        t.AddMethod("detach", (a, k) =>
        {
            var w = T(a[0]);
            w.CheckInit();
            Ops.CallMethod(a[0], "flush");
            w._detached = true;
            return w.Buffer;
        });
        t.AddMethod("reconfigure", (a, k) =>
        {
            var w = T(a[0]);
            w.CheckInit();
            if (Ops.PosCount(a, k) > 1) throw Ops.TypeError("reconfigure() takes no positional arguments");
            var enc = Ops.Arg(a, k, 99, "encoding");
            var err = Ops.Arg(a, k, 99, "errors");
            var nl = Ops.Arg(a, k, 99, "newline");
            var lb = Ops.Arg(a, k, 99, "line_buffering");
            var wt = Ops.Arg(a, k, 99, "write_through");
            if ((enc != null || err != null || nl != null) && w._dpos < w._decoded.Length)
                throw IoCommon.Unsupported("It is not possible to set the encoding or newline of stream after the first read");
            Ops.CallMethod(a[0], "flush");
            if (enc != null && enc != PyNone.Instance || err != null && err != PyNone.Instance)
            {
                string e = enc is PyStr es ? es.Value : w._encoding;
                string r = err is PyStr rs ? rs.Value : enc != null && enc != PyNone.Instance ? "strict" : w._errors;
                w._codec = TextCodec.Lookup(e, r) ?? throw new PyException(PyBaseException.Create(PyBaseException.LookupErrorType, PyStr.Of($"unknown encoding: {e}")));
                w._encoding = e; w._errors = r;
            }
            if (nl != null)
            {
                var v = StrOrNone(nl, "newline");
                if (v != null && v != "" && v != "\n" && v != "\r" && v != "\r\n") throw Ops.ValueError($"illegal newline value: {v}");
                w._newline = v;
            }
            if (lb != null && lb != PyNone.Instance) w._lineBuffering = Ops.IsTrue(lb);
            if (wt != null && wt != PyNone.Instance) w._writeThrough = Ops.IsTrue(wt);
            return PyNone.Instance;
        });
        t.AddMethod("fileno", (a, k) => { T(a[0]).CheckInit(); return Ops.CallMethod(T(a[0]).Buffer, "fileno"); });
        t.AddMethod("isatty", (a, k) => { T(a[0]).CheckInit(); return Ops.CallMethod(T(a[0]).Buffer, "isatty"); });
        t.AddMethod("readable", (a, k) => { T(a[0]).CheckInit(); return Ops.CallMethod(T(a[0]).Buffer, "readable"); });
        t.AddMethod("writable", (a, k) => { T(a[0]).CheckInit(); return Ops.CallMethod(T(a[0]).Buffer, "writable"); });
        t.AddMethod("seekable", (a, k) => { T(a[0]).CheckInit(); return Ops.CallMethod(T(a[0]).Buffer, "seekable"); });
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        t.SetMember("closed", IoCommon.Prop("closed", o => { T(o).CheckInit(); return PyBool.Of(T(o).BufferClosed); }));
        t.SetMember("name", IoCommon.Prop("name", o => { T(o).CheckInit(); return Ops.GetAttr(T(o).Buffer, "name"); }));
        t.SetMember("buffer", IoCommon.Prop("buffer", o => { T(o).CheckInit(); return T(o).Buffer; }));
        t.SetMember("encoding", IoCommon.Prop("encoding", o => PyStr.Of(T(o)._encoding)));
        t.SetMember("errors", IoCommon.Prop("errors", o => PyStr.Of(T(o)._errors)));
        t.SetMember("line_buffering", IoCommon.Prop("line_buffering", o => PyBool.Of(T(o)._lineBuffering)));
        t.SetMember("write_through", IoCommon.Prop("write_through", o => PyBool.Of(T(o)._writeThrough)));
        t.SetMember("newlines", IoCommon.Prop("newlines", o => T(o).Universal ? StringIO.NewlinesValue(T(o)._seen) : PyNone.Instance));
        t.SetMember("_CHUNK_SIZE", IoCommon.Prop("_CHUNK_SIZE", o => PyInt.Get(ChunkSize)));
        return t;
    }
}
