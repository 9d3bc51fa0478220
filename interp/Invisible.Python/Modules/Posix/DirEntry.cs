using System;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Posix;

/// <summary>posix.DirEntry: one entry of os.scandir, with the d_type readdir gave (so is_dir/is_file need no stat
/// when the file system reports it) and its stat results cached, as CPython's.</summary>
public sealed class DirEntry : PyObject
{
    public static readonly PyType TypeObj = CreateType();
    private const byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    private readonly PyObject _name, _path;
    private readonly byte[] _pathZ;
    private readonly byte _dtype;
    private readonly ulong _ino;
    // scandir(fd): the entry's stat is fstatat(that fd, name), as CPython's (AT_FDCWD otherwise)
    private readonly int _dirFd;
    private PyObject? _stat, _lstat;

    internal DirEntry(PyObject name, PyObject path, byte[] pathZ, byte dtype, ulong ino, int dirFd = PosixModule.AtFdCwd)
    {
        _name = name; _path = path; _pathZ = pathZ; _dtype = dtype; _ino = ino; _dirFd = dirFd;
    }

    public override PyType Type => TypeObj;
    public override string Repr() => $"<DirEntry {Ops.Repr(_name)}>";

    private PyObject GetStat(bool follow)
    {
        if (!follow || !IsSymlink())
        {
            if (_lstat == null)
            {
                if (!PosixModule.TryStat(_pathZ, false, out var st, _dirFd)) throw Fs.LastError(_path);
                _lstat = PosixModule.MakeStat(st);
            }
            if (!follow || !IsSymlink()) return _lstat;
        }
        if (_stat == null)
        {
            if (!PosixModule.TryStat(_pathZ, true, out var st, _dirFd)) throw Fs.LastError(_path);
            _stat = PosixModule.MakeStat(st);
        }
        return _stat;
    }

    private bool IsSymlink()
    {
        if (_dtype != DT_UNKNOWN) return _dtype == DT_LNK;
        return (Mode(false) & 0xF000) == 0xA000;
    }

    private long Mode(bool follow) => Ops.IndexValue(((PyTuple)GetStat(follow)).Items[0]);

    /// <summary>is_dir/is_file: from d_type when it is known and not a link to follow, else from stat; a missing file is False.</summary>
    private bool Test(bool follow, byte dtype, int fmt)
    {
        if (_dtype != DT_UNKNOWN && !(follow && _dtype == DT_LNK)) return _dtype == dtype;
        try { return (Mode(follow) & 0xF000) == fmt; }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.FileNotFoundErrorType)) { return false; }
    }

    private static bool Follow(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (Ops.PosCount(a, k) > 1) throw Ops.TypeError("DirEntry method takes no positional arguments");
        var v = Ops.Arg(a, k, 99, "follow_symlinks");
        return v == null || Ops.IsTrue(v);
    }

    private static DirEntry E(PyObject o) => (DirEntry)o;

    private static PyType CreateType()
    {
        var t = new PyType("DirEntry", PyType.ObjectType, null) { ModuleName = "posix" };
        t.New = null;
        t.SetMember("name", new PyProperty(new PyBuiltinFunction("name", (a, k) => E(a[0])._name), null, null, null));
        t.SetMember("path", new PyProperty(new PyBuiltinFunction("path", (a, k) => E(a[0])._path), null, null, null));
        t.AddMethod("inode", (a, k) => PyInt.Get(new System.Numerics.BigInteger(E(a[0])._ino)));
        t.AddMethod("is_dir", (a, k) => PyBool.Of(E(a[0]).Test(Follow(a, k), DT_DIR, 0x4000)));
        t.AddMethod("is_file", (a, k) => PyBool.Of(E(a[0]).Test(Follow(a, k), DT_REG, 0x8000)));
        t.AddMethod("is_symlink", (a, k) => PyBool.Of(E(a[0]).IsSymlink()));
        t.AddMethod("stat", (a, k) => E(a[0]).GetStat(Follow(a, k)));
        t.AddMethod("__fspath__", (a, k) => E(a[0])._path);
        return t;
    }
}

/// <summary>The iterator os.scandir returns: reads the directory lazily, closes it when exhausted, on close() or
/// at the end of a with block.</summary>
public sealed unsafe class ScandirIterator : PyObject
{
    public static readonly PyType TypeObj = CreateType();
    private nint _dir;
    private readonly byte[] _prefix; // the path with a trailing '/', or empty for "."
    private readonly bool _asBytes;
    private readonly PyObject _original;
    private readonly bool _fromFd;

    private ScandirIterator(nint dir, byte[] prefix, bool asBytes, PyObject original, bool fromFd)
    {
        _dir = dir; _prefix = prefix; _asBytes = asBytes; _original = original; _fromFd = fromFd;
    }

    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;

    internal static ScandirIterator Open(PyObject? p)
    {
        if (p is PyInt)
        {
            int fd = Libc.fcntl(Fs.Int(p), 1030, 0);
            if (fd < 0) throw Fs.LastError();
            nint d = Libc.fdopendir(fd);
            if (d == 0) { int e = Fs.Errno; Libc.close(fd); throw Fs.Error(e); }
            return new ScandirIterator(d, Array.Empty<byte>(), false, p, true);
        }
        var path = p == null ? new PathArg(new byte[] { (byte)'.', 0 }, PyStr.Of("."), false) : Fs.Path(p, "scandir", "path", true);
        nint dir;
        fixed (byte* z = path.Z) dir = Libc.opendir(z);
        if (dir == 0) throw Fs.LastError(path.Original);
        var raw = path.Z.AsSpan(0, path.Z.Length - 1);
        byte[] prefix;
        if (p == null) prefix = new byte[] { (byte)'.', (byte)'/' };
        else if (raw.Length > 0 && raw[^1] == '/') prefix = raw.ToArray();
        else { prefix = new byte[raw.Length + 1]; raw.CopyTo(prefix); prefix[^1] = (byte)'/'; }
        return new ScandirIterator(dir, prefix, path.AsBytes, path.Original, false);
    }

    public override PyObject? Next()
    {
        while (_dir != 0)
        {
            Marshal.SetLastPInvokeError(0);
            nint ent = Libc.readdir(_dir);
            if (ent == 0)
            {
                int e = Fs.Errno;
                Close();
                if (e != 0) throw Fs.Error(e, _original);
                return null;
            }
            var name = PosixModule.DirentName(ent);
            if (PosixModule.IsDotOrDotDot(name)) continue;
            var full = new byte[_prefix.Length + name.Length + 1];
            _prefix.CopyTo(full, 0);
            name.CopyTo(full.AsSpan(_prefix.Length));
            var fullSpan = full.AsSpan(0, full.Length - 1);
            PyObject nameObj = Fs.Name(name, _asBytes);
            PyObject pathObj = _fromFd ? nameObj : Fs.Name(fullSpan, _asBytes);
            return _fromFd
                ? new DirEntry(nameObj, pathObj, NameZ(name), PosixModule.DirentType(ent), PosixModule.DirentIno(ent), Fs.Int(_original))
                : new DirEntry(nameObj, pathObj, full, PosixModule.DirentType(ent), PosixModule.DirentIno(ent));
        }
        return null;
    }

    private static byte[] NameZ(ReadOnlySpan<byte> name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z);
        return z;
    }

    public void Close()
    {
        if (_dir == 0) return;
        Libc.closedir(_dir);
        _dir = 0;
    }

    ~ScandirIterator()
    {
        // Only the C handle: no Python code runs here (a finalizer may run on any thread, or not at all after fork).
        if (_dir != 0) Libc.closedir(_dir);
    }

    private static PyType CreateType()
    {
        var t = new PyType("ScandirIterator", PyType.ObjectType, null) { ModuleName = "posix" };
        t.New = null;
        t.AddMethod("close", (a, k) => { ((ScandirIterator)a[0]).Close(); return PyNone.Instance; });
        t.AddMethod("__enter__", (a, k) => a[0]);
        t.AddMethod("__exit__", (a, k) => { ((ScandirIterator)a[0]).Close(); return PyBool.False; });
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        return t;
    }
}
