using System;
using System.Runtime.InteropServices;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>mmap</c> (Modules/mmapmodule.c) on Linux over mmap(2): file-backed (the descriptor is duplicated, as
/// CPython does) and anonymous maps, the access modes (read, write, copy-on-write), the file-like methods
/// (read/readline/write/seek/tell/find/rfind/flush/move/resize/madvise), indexing and slicing, the buffer protocol
/// (so bytes(), struct and friends read it) and CPython's error texts.
/// </summary>
public static unsafe partial class MmapModule
{
    private const string C = "libc.so.6";
    [LibraryImport(C, SetLastError = true)] private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);
    [LibraryImport(C, SetLastError = true)] private static partial int munmap(nint addr, nuint length);
    [LibraryImport(C, SetLastError = true)] private static partial int msync(nint addr, nuint length, int flags);
    [LibraryImport(C, SetLastError = true)] private static partial nint mremap(nint old, nuint oldSize, nuint newSize, int flags);
    [LibraryImport(C, SetLastError = true)] private static partial int madvise(nint addr, nuint length, int advice);

    private const int ProtRead = 1, ProtWrite = 2, MapShared = 1, MapPrivate = 2, MapAnonymous = 0x20;
    private const int AccessDefault = 0, AccessRead = 1, AccessWrite = 2, AccessCopy = 3;
    private const int PageSize = 4096;
    private static readonly nint MapFailed = -1;

    private static readonly ArgParser NewArgs = new("mmap", "fileno, length, flags=MAP_SHARED, prot=PROT_WRITE|PROT_READ, access=ACCESS_DEFAULT, offset=0");
    private static readonly ArgParser FindArgs = new("find", "sub, start=, end=, /");
    private static readonly ArgParser ReadArgs = new("read", "n=None, /");
    private static readonly ArgParser SeekArgs = new("seek", "pos, whence=0, /");
    private static readonly ArgParser FlushArgs = new("flush", "offset=0, size=, /");
    private static readonly ArgParser MoveArgs = new("move", "dest, src, count, /");
    private static readonly ArgParser MadviseArgs = new("madvise", "option, start=0, length=, /");

    private static PyType? s_type;
    private static readonly object TypesGate = new();
    private static PyType MmapType { get { lock (TypesGate) return s_type ??= MakeType(); } }

    public static PyModule Create()
    {
        var m = new PyModule("mmap");
        m.Add("mmap", MmapType);
        m.Add("error", PyBaseException.OSErrorType);
        foreach (var (n, v) in new (string, int)[] {
            ("ACCESS_COPY", 3), ("ACCESS_DEFAULT", 0), ("ACCESS_READ", 1), ("ACCESS_WRITE", 2), ("ALLOCATIONGRANULARITY", PageSize),
            ("MADV_DODUMP", 17), ("MADV_DOFORK", 11), ("MADV_DONTDUMP", 16), ("MADV_DONTFORK", 10), ("MADV_DONTNEED", 4),
            ("MADV_FREE", 8), ("MADV_HUGEPAGE", 14), ("MADV_HWPOISON", 100), ("MADV_MERGEABLE", 12), ("MADV_NOHUGEPAGE", 15),
            ("MADV_NORMAL", 0), ("MADV_RANDOM", 1), ("MADV_REMOVE", 9), ("MADV_SEQUENTIAL", 2), ("MADV_UNMERGEABLE", 13),
            ("MADV_WILLNEED", 3), ("MAP_ANON", 32), ("MAP_ANONYMOUS", 32), ("MAP_DENYWRITE", 2048), ("MAP_EXECUTABLE", 4096),
            ("MAP_POPULATE", 32768), ("MAP_PRIVATE", 2), ("MAP_SHARED", 1), ("MAP_STACK", 131072), ("PAGESIZE", PageSize),
            ("PROT_EXEC", 4), ("PROT_READ", 1), ("PROT_WRITE", 2) })
            m.Add(n, PyInt.Get(v));
        return m;
    }

    private sealed class MmapObject : PyObject, IBufferExporter
    {
        private readonly PyType _type;
        private PyDict? _dict;
        public nint Data;
        public long Size, Pos, Offset;
        public int Fd = -1, Flags, Prot, Access;

        public MmapObject(PyType type) { _type = type; }
        public override PyType Type => _type;
        public override PyDict? Dict => _type == MmapType ? null : _dict ??= new PyDict();

        ~MmapObject()
        {
            if (Data != 0) munmap(Data, (nuint)Math.Max(Size, 1));
            if (Fd >= 0) Libc.close(Fd);
        }

        public Span<byte> BufferBytes { get { Check(); return new Span<byte>((void*)Data, (int)Size); } }
        public bool BufferReadOnly => Access == AccessRead;

        public Span<byte> Bytes => new((void*)Data, (int)Size);

        public void Check()
        {
            if (Data == 0) throw Ops.ValueError("mmap closed or invalid");
        }

        public void CheckWritable()
        {
            if (Access == AccessRead) throw Ops.TypeError("mmap can't modify a readonly memory map.");
        }

        public void Close()
        {
            if (Data != 0) { munmap(Data, (nuint)Math.Max(Size, 1)); Data = 0; }
            if (Fd >= 0) { Libc.close(Fd); Fd = -1; }
        }

        public override PyObject GetItem(PyObject key)
        {
            Check();
            if (key is PySlice sl)
            {
                sl.Indices((int)Size, out int start, out _, out int step, out int n);
                var r = new byte[n];
                var b = Bytes;
                for (long i = 0, j = start; i < n; i++, j += step) r[i] = b[(int)j];
                return new PyBytes(r);
            }
            long idx = Index(key);
            if (idx < 0) idx += Size;
            if (idx < 0 || idx >= Size) throw Ops.IndexError("mmap index out of range");
            return PyInt.Get(Bytes[(int)idx]);
        }

        public override void SetItem(PyObject key, PyObject value)
        {
            Check();
            CheckWritable();
            if (key is PySlice sl)
            {
                sl.Indices((int)Size, out int start, out _, out int step, out int n);
                var data = Buffers.Read(value);
                if (data.Length != n) throw Ops.IndexError("mmap slice assignment is wrong size");
                var b = Bytes;
                for (long i = 0, j = start; i < n; i++, j += step) b[(int)j] = data[(int)i];
                return;
            }
            long idx = Index(key);
            if (idx < 0) idx += Size;
            if (idx < 0 || idx >= Size) throw Ops.IndexError("mmap index out of range");
            if (value is not PyInt) throw Ops.TypeError("mmap item value must be an int");
            long v = Ops.IndexValue(value);
            if (v < 0 || v > 255) throw Ops.ValueError("mmap item value must be in range(0, 256)");
            Bytes[(int)idx] = (byte)v;
        }

        public override void DelItem(PyObject key) => throw Ops.TypeError("mmap doesn't support item deletion");

        public override bool HasLen => true;
        public override int Len() { Check(); return (int)Size; }

        public override string Repr()
        {
            if (Data == 0) return "<mmap.mmap closed=True>";
            string access = Access switch { AccessRead => "ACCESS_READ", AccessWrite => "ACCESS_WRITE", AccessCopy => "ACCESS_COPY", _ => "ACCESS_DEFAULT" };
            return $"<mmap.mmap closed=False, access={access}, length={Size}, pos={Pos}, offset={Offset}>";
        }
    }

    private static MmapObject M(PyObject o) => (MmapObject)o;

    private static long Index(PyObject o)
    {
        if (o is not PyInt && o.Type.Lookup(PyStr.S___index__) == null) throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
        return Ops.IndexValue(o);
    }

    private static MmapObject New(PyType cls, Args args)
    {
        int fd = args.Int(0);
        long length = args.Ssize(1);
        int flags = args.Int(2, MapShared), prot = args.Int(3, ProtRead | ProtWrite), access = args.Int(4, AccessDefault);
        long offset = args.Ssize(5, 0);
        if (length < 0) throw Ops.OverflowError("memory mapped length must be positive");
        if (offset < 0) throw Ops.OverflowError("memory mapped offset must be positive");
        if (access != AccessDefault && ((args.Has(2) && flags != MapShared) || (args.Has(3) && prot != (ProtRead | ProtWrite))))
            throw Ops.ValueError("mmap can't specify both access and flags, prot.");
        switch (access)
        {
            case AccessRead: flags = MapShared; prot = ProtRead; break;
            case AccessWrite: flags = MapShared; prot = ProtRead | ProtWrite; break;
            case AccessCopy: flags = MapPrivate; prot = ProtRead | ProtWrite; break;
            case AccessDefault:
                // a map that cannot be written is a read-only one
                if ((prot & ProtRead) != 0 && (prot & ProtWrite) != 0) { }
                else if ((prot & ProtWrite) != 0) access = AccessWrite;
                else access = AccessRead;
                break;
            default: throw Ops.ValueError("mmap invalid access parameter.");
        }
        var m = new MmapObject(cls) { Flags = flags, Prot = prot, Access = access, Offset = offset };
        if (fd != -1)
        {
            Libc.Stat st;
            if (Libc.fstat(fd, &st) == 0 && (st.Mode & 0xF000) == 0x8000)
            {
                if (length == 0)
                {
                    if (st.Size == 0) throw Ops.ValueError("cannot mmap an empty file");
                    if (offset >= st.Size) throw Ops.ValueError("mmap offset is greater than file size");
                    length = st.Size - offset;
                }
                else if (offset > st.Size || st.Size - offset < length) throw Ops.ValueError(offset > st.Size ? "mmap offset is greater than file size" : "mmap length is greater than file size");
            }
            int dupFd = Libc.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
            if (dupFd < 0) throw Fs.LastError();
            m.Fd = dupFd;
        }
        else flags |= MapAnonymous;
        m.Size = length;
        nint p = mmap(0, (nuint)Math.Max(length, 1), prot, flags, m.Fd, offset);
        if (p == MapFailed) { var e = Fs.LastError(); m.Close(); throw e; }
        m.Data = p;
        return m;
    }

    private static (long Start, long End) Range(MmapObject m, Args args, int first)
    {
        long start = args[first] is { } s && s != PyNone.Instance ? Index(s) : m.Pos;
        long end = args[first + 1] is { } e && e != PyNone.Instance ? Index(e) : m.Size;
        if (start < 0) { start += m.Size; if (start < 0) start = 0; } else if (start > m.Size) start = m.Size;
        if (end < 0) { end += m.Size; if (end < 0) end = 0; } else if (end > m.Size) end = m.Size;
        return (start, end);
    }

    private static PyType MakeType()
    {
        var t = new PyType("mmap", PyType.ObjectType, (cls, a, k) => New(cls, NewArgs.Parse(a, k))) { ModuleName = "mmap" };
        var none = PyNone.Instance;
        t.AddMethod("close", (a, k) => { ArgParser.NoArgs("close", a.Slice(1), k); M(a[0]).Close(); return none; });
        t.SetMember("closed", new PyProperty(new PyBuiltinFunction("closed", (a, k) => PyBool.Of(M(a[0]).Data == 0)), null, null, null));
        t.AddMethod("__enter__", (a, k) => { M(a[0]).Check(); return a[0]; });
        t.AddMethod("__exit__", (a, k) => { M(a[0]).Close(); return none; });
        t.AddMethod("__len__", (a, k) => PyInt.Get(M(a[0]).Len()));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(M(a[0]).Repr()));
        t.AddMethod("size", (a, k) =>
        {
            ArgParser.NoArgs("size", a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            if (m.Fd < 0) throw Fs.Error(9);
            Libc.Stat st;
            if (Libc.fstat(m.Fd, &st) < 0) throw Fs.LastError();
            return PyInt.Get(st.Size);
        });
        t.AddMethod("tell", (a, k) => { ArgParser.NoArgs("tell", a.Slice(1), k); var m = M(a[0]); m.Check(); return PyInt.Get(m.Pos); });
        t.AddMethod("seek", (a, k) =>
        {
            var args = SeekArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            long dist = args.Ssize(0);
            int how = args.Int(1, 0);
            long where = how switch
            {
                0 => dist,
                1 => m.Pos + dist,
                2 => m.Size + dist,
                _ => throw Ops.ValueError("unknown seek type"),
            };
            if (where > m.Size || where < 0) throw Ops.ValueError("seek out of range");
            m.Pos = where;
            return none;
        });
        t.AddMethod("read", (a, k) =>
        {
            var args = ReadArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            long left = m.Size - m.Pos;
            long n = args[0] is { } o && o != PyNone.Instance ? Index(o) : left;
            if (n < 0 || n > left) n = left;
            var r = m.Bytes.Slice((int)m.Pos, (int)n).ToArray();
            m.Pos += n;
            return new PyBytes(r);
        });
        t.AddMethod("read_byte", (a, k) =>
        {
            ArgParser.NoArgs("read_byte", a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            if (m.Pos >= m.Size) throw Ops.ValueError("read byte out of range");
            return PyInt.Get(m.Bytes[(int)m.Pos++]);
        });
        t.AddMethod("readline", (a, k) =>
        {
            ArgParser.NoArgs("readline", a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            var rest = m.Bytes.Slice((int)m.Pos);
            int nl = rest.IndexOf((byte)'\n');
            int n = nl < 0 ? rest.Length : nl + 1;
            m.Pos += n;
            return new PyBytes(rest.Slice(0, n).ToArray());
        });
        t.AddMethod("write", (a, k) =>
        {
            ArgParser.CheckPositional("write", a.Slice(1), k, 1, 1);
            var m = M(a[0]);
            m.Check();
            var data = Buffers.Read(a[1]);
            m.CheckWritable();
            if (m.Pos > m.Size || m.Size - m.Pos < data.Length) throw Ops.ValueError("data out of range");
            data.CopyTo(m.Bytes.Slice((int)m.Pos));
            m.Pos += data.Length;
            return PyInt.Get(data.Length);
        });
        t.AddMethod("write_byte", (a, k) =>
        {
            ArgParser.CheckPositional("write_byte", a.Slice(1), k, 1, 1);
            var m = M(a[0]);
            m.Check();
            long v = Index(a[1]);
            if (v < 0) throw Ops.OverflowError("unsigned byte integer is less than minimum");
            if (v > 255) throw Ops.OverflowError("unsigned byte integer is greater than maximum");
            m.CheckWritable();
            if (m.Pos >= m.Size) throw Ops.ValueError("write byte out of range");
            m.Bytes[(int)m.Pos++] = (byte)v;
            return none;
        });
        NativeFn find(bool reverse) => (a, k) =>
        {
            var args = FindArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            var sub = Buffers.Read(args[0]!);
            var (start, end) = Range(m, args, 1);
            if (end < start) return PyInt.Get(-1);
            var hay = m.Bytes.Slice((int)start, (int)(end - start));
            int i = reverse ? hay.LastIndexOf(sub) : hay.IndexOf(sub);
            return PyInt.Get(i < 0 ? -1 : start + i);
        };
        t.AddMethod("find", find(false));
        t.AddMethod("rfind", find(true));
        t.AddMethod("flush", (a, k) =>
        {
            var args = FlushArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            long offset = args.Ssize(0, 0), size = args.Ssize(1, m.Size);
            if (size < 0 || offset < 0 || m.Size - offset < size) throw Ops.ValueError("flush values out of range");
            if (size == 0 || m.Access == AccessRead || m.Access == AccessCopy) return none;
            if (msync(m.Data + (nint)offset, (nuint)size, 4 /* MS_SYNC */) < 0) throw Fs.LastError();
            return none;
        });
        t.AddMethod("move", (a, k) =>
        {
            var args = MoveArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            long dest = args.Ssize(0), src = args.Ssize(1), count = args.Ssize(2);
            m.CheckWritable();
            if (dest < 0 || src < 0 || count < 0 || m.Size - dest < count || m.Size - src < count)
                throw Ops.ValueError("source, destination, or count out of range");
            var b = m.Bytes;
            b.Slice((int)src, (int)count).CopyTo(b.Slice((int)dest));
            return none;
        });
        t.AddMethod("madvise", (a, k) =>
        {
            var args = MadviseArgs.Parse(a.Slice(1), k);
            var m = M(a[0]);
            m.Check();
            int option = args.Int(0);
            long start = args.Ssize(1, 0), length = args.Ssize(2, m.Size);
            if (start < 0 || start >= m.Size) throw Ops.ValueError("madvise start out of bounds");
            if (length < 0) throw Ops.ValueError("madvise length invalid");
            if (length > m.Size - start) length = m.Size - start;
            if (madvise(m.Data + (nint)start, (nuint)length, option) < 0) throw Fs.LastError();
            return none;
        });
        t.AddMethod("resize", (a, k) =>
        {
            ArgParser.CheckPositional("resize", a.Slice(1), k, 1, 1);
            var m = M(a[0]);
            m.Check();
            long newSize = Index(a[1]);
            if (m.Access != AccessDefault && m.Access != AccessWrite) throw Ops.TypeError("mmap can't resize a readonly or copy-on-write memory map.");
            if (newSize < 0 || long.MaxValue - newSize < m.Offset) throw Ops.ValueError("new size out of range");
            if (m.Fd >= 0 && Libc.ftruncate(m.Fd, m.Offset + newSize) < 0) throw Fs.LastError();
            nint p = mremap(m.Data, (nuint)Math.Max(m.Size, 1), (nuint)Math.Max(newSize, 1), 1 /* MREMAP_MAYMOVE */);
            if (p == MapFailed) throw Fs.LastError();
            m.Data = p;
            m.Size = newSize;
            if (m.Pos > newSize) m.Pos = newSize;
            return none;
        });
        t.AddMethod("__getitem__", (a, k) => a[0].GetItem(a[1]));
        t.AddMethod("__setitem__", (a, k) => { a[0].SetItem(a[1], a[2]); return none; });
        t.AddMethod("__delitem__", (a, k) => { a[0].DelItem(a[1]); return none; });
        return t;
    }
}
