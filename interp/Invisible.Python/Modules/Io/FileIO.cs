using System;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.FileIO (CPython's Modules/_io/fileio.c): raw, unbuffered I/O on a file descriptor.</summary>
public sealed unsafe class FileIO : IoObject
{
    public static PyType TypeObj = null!;
    internal int Fd = -1;
    internal bool Readable, Writable, Appending, Created, CloseFd = true;
    private int _seekable = -1;
    internal PyObject Name = PyNone.Instance;
    /// <summary>st_blksize of the open file: open()'s default buffer size, as CPython.</summary>
    internal long Blksize = IoModule.DefaultBufferSize;

    /// <summary>sys.stdin/stdout/stderr's raw stream: the host's end of the descriptor (see <see cref="HostStdio"/>).</summary>
    internal HostStdio? Host;

    public FileIO(PyType t) : base(t) { }

    /// <summary>The raw stream of a standard stream, as CPython's create_stdio opens it: descriptor
    /// <paramref name="fd"/>, closefd=False, named <paramref name="name"/> ('&lt;stdout&gt;'...).</summary>
    internal static FileIO ForHost(int fd, string name, HostStdio host, bool write)
    {
        var f = new FileIO(TypeObj) { Fd = fd, Readable = !write, Writable = write, CloseFd = false, Host = host, _seekable = 0 };
        f.Dict!.SetItem("name", PyStr.Of(name));
        return f;
    }

    public string ModeString()
    {
        if (Created) return Readable ? "xb+" : "xb";
        if (Appending) return Readable ? "ab+" : "ab";
        if (Readable) return Writable ? "rb+" : "rb";
        return "wb";
    }

    public override string Repr()
    {
        string tn = "_io." + Type.Name;
        if (Fd < 0) return $"<{tn} [closed]>";
        var name = Ops.GetAttrOrNull(this, PyStr.Intern("name"));
        string closefd = CloseFd ? "True" : "False";
        if (name == null) return $"<{tn} fd={Fd} mode='{ModeString()}' closefd={closefd}>";
        return $"<{tn} name={Ops.Repr(name)} mode='{ModeString()}' closefd={closefd}>";
    }

    internal void CheckOpen() { if (Fd < 0) throw Ops.ValueError("I/O operation on closed file"); } // fileio.c says it without the period
    private void CheckReadable() { CheckOpen(); if (!Readable) throw IoCommon.Unsupported("File not open for reading"); }
    private void CheckWritable() { CheckOpen(); if (!Writable) throw IoCommon.Unsupported("File not open for writing"); }

    /// <summary>FileIO.__init__(file, mode='r', closefd=True, opener=None).</summary>
    private void Init(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (Fd >= 0) { if (CloseFd) Libc.close(Fd); Fd = -1; }
        var file = Ops.Arg(a, k, 0, "file") ?? throw Ops.TypeError("FileIO() missing required argument 'file' (pos 1)");
        string mode = Ops.Arg(a, k, 1, "mode") is PyObject m ? (m is PyStr ms ? ms.Value : throw Ops.TypeError($"FileIO() argument 'mode' must be str, not {m.Type.Name}")) : "r";
        bool closefd = Ops.Arg(a, k, 2, "closefd") is not PyObject c || Ops.IsTrue(c);
        var opener = Ops.Arg(a, k, 3, "opener");
        if (file is PyFloat) throw Ops.TypeError("integer argument expected, got float");
        int fdArg = -1;
        if (file is PyInt)
        {
            fdArg = Fs.Int(file);
            if (fdArg < 0) throw Ops.ValueError("negative file descriptor");
        }
        int flags = 0;
        bool rwa = false, plus = false;
        Readable = Writable = Appending = Created = false;
        foreach (char ch in mode)
        {
            switch (ch)
            {
                case 'x': if (rwa) goto Bad; rwa = true; Created = true; Writable = true; flags |= 0x40 | 0x80; break;
                case 'r': if (rwa) goto Bad; rwa = true; Readable = true; break;
                case 'w': if (rwa) goto Bad; rwa = true; Writable = true; flags |= 0x40 | 0x200; break;
                case 'a': if (rwa) goto Bad; rwa = true; Writable = true; Appending = true; flags |= 0x40 | 0x400; break;
                case 'b': break;
                case '+': if (plus) goto Bad; Readable = Writable = true; plus = true; break;
                default: throw Ops.ValueError($"invalid mode: {mode}");
            }
        }
        if (!rwa) goto Bad;
        flags |= Readable && Writable ? 2 : Readable ? 0 : 1;
        flags |= 0x80000; // O_CLOEXEC: PEP 446
        if (fdArg >= 0)
        {
            Fd = fdArg;
            CloseFd = closefd;
        }
        else
        {
            CloseFd = true;
            if (!closefd) throw Ops.ValueError("Cannot use closefd=False with file name");
            if (opener != null && opener != PyNone.Instance)
            {
                var r = Ops.Call(opener, new[] { file, PyInt.Get(flags) });
                if (r is not PyInt) throw Ops.TypeError("expected integer from opener");
                Fd = Fs.Int(r);
                if (Fd < 0) throw Ops.ValueError($"opener returned {Fd}");
            }
            else
            {
                var path = Fs.Path(file, "FileIO", "file");
                while (true)
                {
                    int fd;
                    var ts = PosixModule.Lend();
                    fixed (byte* z = path.Z) fd = Libc.open(z, flags, 0x1B6);
                    PosixModule.Reclaim(ts);
                    if (fd >= 0) { Fd = fd; break; }
                    if (Fs.Errno == 4) { PosixModule.CheckSignals(); continue; }
                    throw Fs.LastError(file);
                }
            }
        }
        Libc.Stat st;
        if (Libc.fstat(Fd, &st) != 0)
        {
            int e = Fs.Errno;
            if (e == 9) { int fd = Fd; Fd = -1; throw Fs.Error(e); }
        }
        else if ((st.Mode & 0xF000) != 0x4000) Blksize = st.Blksize > 1 ? st.Blksize : IoModule.DefaultBufferSize;
        else if ((st.Mode & 0xF000) == 0x4000)
        {
            if (fdArg < 0) Libc.close(Fd);
            Fd = -1;
            throw Fs.Error(21, file);
        }
        Dict!.SetItem("name", file);
        if (Appending) Libc.lseek(Fd, 0, 2);
        return;
    Bad:
        throw Ops.ValueError("Must have exactly one of create/read/write/append mode and at most one plus");
    }

    public PyObject ReadAll()
    {
        CheckReadable();
        if (Host != null)
        {
            var all = new System.IO.MemoryStream();
            var chunk = new byte[IoModule.DefaultBufferSize];
            int got;
            while ((got = Host.Read(chunk)) > 0) all.Write(chunk, 0, got);
            return new PyBytes(all.ToArray());
        }
        var buf = new byte[IoModule.DefaultBufferSize];
        Libc.Stat st;
        if (Libc.fstat(Fd, &st) == 0 && st.Size > 0)
        {
            long pos = Libc.lseek(Fd, 0, 1);
            if (pos >= 0 && st.Size >= pos) buf = new byte[Math.Max(st.Size - pos + 1, 1)];
        }
        int total = 0;
        while (true)
        {
            if (total == buf.Length) Array.Resize(ref buf, buf.Length + Math.Max(buf.Length >> 3, IoModule.DefaultBufferSize));
            nint n;
            var ts = PosixModule.Lend();
            fixed (byte* p = buf) n = Libc.read(Fd, p + total, buf.Length - total);
            PosixModule.Reclaim(ts);
            if (n == 0) break;
            if (n < 0)
            {
                int e = Fs.Errno;
                if (e == 4) { PosixModule.CheckSignals(); continue; }
                if (e == 11) { if (total == 0) return PyNone.Instance; break; }
                throw Fs.Error(e);
            }
            total += (int)n;
        }
        return new PyBytes(total == buf.Length ? buf : buf.AsSpan(0, total).ToArray());
    }

    /// <summary>One read(2) into <paramref name="dst"/>: the count, or -1 when a non-blocking descriptor has no data.</summary>
    public int ReadInto(Span<byte> dst)
    {
        CheckReadable();
        if (Host != null) return Host.Read(dst);
        while (true)
        {
            nint n;
            var ts = PosixModule.Lend();
            fixed (byte* p = dst) n = Libc.read(Fd, p, dst.Length);
            PosixModule.Reclaim(ts);
            if (n >= 0) return (int)n;
            int e = Fs.Errno;
            if (e == 4) { PosixModule.CheckSignals(); continue; }
            if (e == 11) return -1;
            throw Fs.Error(e);
        }
    }

    /// <summary>One write(2): the count, or -1 when a non-blocking descriptor is full.</summary>
    public long Write(ReadOnlySpan<byte> data)
    {
        CheckWritable();
        if (Host != null) return Host.Write(data);
        while (true)
        {
            nint n;
            var ts = PosixModule.Lend();
            fixed (byte* p = data) n = Libc.write(Fd, p, data.Length);
            PosixModule.Reclaim(ts);
            if (n >= 0) return n;
            int e = Fs.Errno;
            if (e == 4) { PosixModule.CheckSignals(); continue; }
            if (e == 11) return -1;
            throw Fs.Error(e);
        }
    }

    public long Seek(long pos, int whence)
    {
        CheckOpen();
        if (Host != null) throw Fs.Error(29); // ESPIPE: the host's stream is no file (as a pipe)
        long r = Libc.lseek(Fd, pos, whence);
        if (r < 0) throw Fs.LastError();
        _seekable = 1;
        return r;
    }

    public long Tell() => Seek(0, 1);

    public bool Seekable()
    {
        CheckOpen();
        if (_seekable < 0) _seekable = Libc.lseek(Fd, 0, 1) < 0 ? 0 : 1;
        return _seekable == 1;
    }

    public void Close()
    {
        if (Fd < 0) return;
        int fd = Fd;
        Fd = -1;
        if (CloseFd && Libc.close(fd) != 0) throw Fs.LastError();
    }

    public bool IsClosed => Fd < 0;

    /// <summary>isatty(): a standard stream whose host is not the process's console (output captured) is no terminal.</summary>
    internal bool IsATty => (Host == null || Host.Console) && Libc.isatty(Fd) == 1;

    ~FileIO()
    {
        // Only the descriptor (no Python code: a finalizer runs on the finalizer thread, or never in a forked child).
        if (Fd >= 0 && CloseFd) Libc.close(Fd);
    }

    private static FileIO F(PyObject o) => (FileIO)o;

    internal static PyType CreateType(PyType rawBase)
    {
        var t = IoCommon.MakeType("FileIO", rawBase, (cls, a, k) => new FileIO(cls));
        TypeObj = t;
        t.AddMethod("__init__", (a, k) => { F(a[0]).Init(a.Slice(1), k); return PyNone.Instance; });
        t.AddMethod("read", (a, k) =>
        {
            var f = F(a[0]);
            long n = IoCommon.Size(a, k);
            if (n < 0) return f.ReadAll();
            f.CheckReadable();
            var buf = new byte[n];
            int got = f.ReadInto(buf);
            if (got < 0) return PyNone.Instance;
            return new PyBytes(got == n ? buf : buf.AsSpan(0, got).ToArray());
        });
        t.AddMethod("readall", (a, k) => F(a[0]).ReadAll());
        t.AddMethod("readinto", (a, k) =>
        {
            var f = F(a[0]);
            if (a[1] is not PyByteArray b) throw Ops.TypeError($"readinto() argument must be read-write bytes-like object, not {a[1].Type.Name}");
            int got = f.ReadInto(b.Buf.AsSpan(0, b.Count));
            return got < 0 ? PyNone.Instance : PyInt.Get(got);
        });
        t.AddMethod("write", (a, k) =>
        {
            var f = F(a[0]);
            long n = f.Write(IoCommon.Bytes(a[1]));
            return n < 0 ? PyNone.Instance : PyInt.Get(n);
        });
        t.AddMethod("seek", (a, k) =>
        {
            var f = F(a[0]);
            var pos = Ops.Arg(a, k, 1, "pos") ?? throw Ops.TypeError("seek() missing required argument 'pos' (pos 1)");
            if (pos is PyFloat) throw Ops.TypeError("an integer is required");
            int whence = Ops.Arg(a, k, 2, "whence") is PyObject w ? Fs.Int(w) : 0;
            return PyInt.Get(f.Seek(Ops.IndexValue(pos), whence));
        });
        t.AddMethod("tell", (a, k) => PyInt.Get(F(a[0]).Tell()));
        t.AddMethod("truncate", (a, k) =>
        {
            var f = F(a[0]);
            f.CheckWritable();
            var s = Ops.Arg(a, k, 1, "size");
            long size = s == null || s == PyNone.Instance ? f.Tell() : Ops.IndexValue(s);
            if (Libc.ftruncate(f.Fd, size) != 0) throw Fs.LastError();
            return PyInt.Get(size);
        });
        t.AddMethod("close", (a, k) =>
        {
            var f = F(a[0]);
            // _RawIOBase.close: flush (a no-op here) then mark closed; the descriptor goes too.
            f.IoBaseClosed = true;
            f.Close();
            return PyNone.Instance;
        });
        t.AddMethod("fileno", (a, k) => { F(a[0]).CheckOpen(); return PyInt.Get(F(a[0]).Fd); });
        t.AddMethod("isatty", (a, k) => { F(a[0]).CheckOpen(); return PyBool.Of(F(a[0]).IsATty); });
        t.AddMethod("readable", (a, k) => { F(a[0]).CheckOpen(); return PyBool.Of(F(a[0]).Readable); });
        t.AddMethod("writable", (a, k) => { F(a[0]).CheckOpen(); return PyBool.Of(F(a[0]).Writable); });
        t.AddMethod("seekable", (a, k) => PyBool.Of(F(a[0]).Seekable()));
        t.AddMethod("_dealloc_warn", (a, k) => PyNone.Instance);
        t.AddMethod("__getstate__", (a, k) => throw Ops.TypeError($"cannot pickle '{a[0].Type.Name}' instances"));
        t.SetMember("closed", IoCommon.Prop("closed", o => PyBool.Of(F(o).Fd < 0)));
        t.SetMember("closefd", IoCommon.Prop("closefd", o => PyBool.Of(F(o).CloseFd)));
        t.SetMember("mode", IoCommon.Prop("mode", o => PyStr.Of(F(o).ModeString())));
        t.SetMember("_blksize", IoCommon.Prop("_blksize", o => PyInt.Get(F(o).Blksize)));
        return t;
    }
}
