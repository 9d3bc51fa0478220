using System;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Posix;

/// <summary>A path argument as CPython's <c>path_converter</c> takes it: str, bytes or os.PathLike, encoded with the
/// file system encoding (UTF-8, surrogateescape), NUL-terminated; <see cref="AsBytes"/> remembers whether the caller
/// gave bytes, which decides whether names come back as bytes (listdir, readlink, scandir).</summary>
internal readonly struct PathArg
{
    public readonly byte[] Z;
    public readonly PyObject Original;
    public readonly bool AsBytes;
    public PathArg(byte[] z, PyObject original, bool asBytes) { Z = z; Original = original; AsBytes = asBytes; }
}

/// <summary>File system encoding and OSError construction shared by <c>posix</c>, <c>_io</c> and friends.</summary>
internal static class Fs
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>UTF-8 with surrogateescape: lone surrogates U+DC80..U+DCFF become the bytes 0x80..0xFF.</summary>
    public static byte[] Encode(string s, bool nulTerminate)
    {
        bool simple = true;
        foreach (char c in s) if (c >= 0xD800 && c <= 0xDFFF) { simple = false; break; }
        if (simple)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            var r = new byte[n + (nulTerminate ? 1 : 0)];
            Encoding.UTF8.GetBytes(s, 0, s.Length, r, 0);
            return r;
        }
        var buf = new System.Collections.Generic.List<byte>(s.Length + 1);
        Span<byte> tmp = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, s[i + 1]);
                int n = new Rune(cp).EncodeToUtf8(tmp);
                for (int j = 0; j < n; j++) buf.Add(tmp[j]);
                i++;
            }
            else if (c >= 0xDC80 && c <= 0xDCFF) buf.Add((byte)(c - 0xDC00));
            else if (c >= 0xD800 && c <= 0xDFFF)
                throw new PyException(PyBaseException.Create(PyBaseException.UnicodeEncodeErrorType,
                    PyStr.Of("utf-8"), PyStr.Of(s), PyInt.Get(i), PyInt.Get(i + 1), PyStr.Of("surrogates not allowed")));
            else
            {
                int n = new Rune(c).EncodeToUtf8(tmp);
                for (int j = 0; j < n; j++) buf.Add(tmp[j]);
            }
        }
        if (nulTerminate) buf.Add(0);
        return buf.ToArray();
    }

    /// <summary>UTF-8 with surrogateescape: an undecodable byte b becomes U+DC00+b.</summary>
    public static string Decode(ReadOnlySpan<byte> b)
    {
        bool ascii = true;
        foreach (byte x in b) if (x >= 0x80) { ascii = false; break; }
        if (ascii) return Encoding.ASCII.GetString(b);
        try { return StrictUtf8.GetString(b); }
        catch (DecoderFallbackException) { }
        var sb = new StringBuilder(b.Length);
        int i = 0;
        while (i < b.Length)
        {
            var st = Rune.DecodeFromUtf8(b.Slice(i), out Rune r, out int used);
            if (st == System.Buffers.OperationStatus.Done) { sb.Append(r.ToString()); i += used; }
            else { sb.Append((char)(0xDC00 + b[i])); i++; }
        }
        return sb.ToString();
    }

    public static PyStr DecodeStr(ReadOnlySpan<byte> b) => PyStr.Of(Decode(b));

    /// <summary>os.fspath: str and bytes as they are, else <c>__fspath__()</c>, which must give str or bytes.</summary>
    public static PyObject FsPath(PyObject o)
    {
        if (o is PyStr || (o is PyBytes && o is not PyByteArray)) return o;
        var f = o.Type.Lookup(PyStr.Intern("__fspath__"));
        if (f == null)
            throw Ops.TypeError($"expected str, bytes or os.PathLike object, not {o.Type.Name}");
        var r = Ops.CallArgs(f, o);
        if (r is PyStr || (r is PyBytes && r is not PyByteArray)) return r;
        throw Ops.TypeError($"expected {o.Type.Name}.__fspath__() to return str or bytes, not {r.Type.Name}");
    }

    /// <summary>CPython's path_converter for function <paramref name="func"/> and argument <paramref name="arg"/>.</summary>
    public static PathArg Path(PyObject o, string func, string arg = "path", bool allowFd = false)
    {
        PyObject p;
        if (o is PyStr || (o is PyBytes && o is not PyByteArray)) p = o;
        else if (o.Type.Lookup(PyStr.Intern("__fspath__")) != null) p = FsPath(o);
        else
        {
            string what = allowFd ? "string, bytes, os.PathLike or integer" : "string, bytes or os.PathLike";
            throw Ops.TypeError($"{func}: {arg} should be {what}, not {o.Type.Name}");
        }
        byte[] z;
        bool asBytes;
        if (p is PyStr s) { z = Encode(s.Value, true); asBytes = false; }
        else
        {
            var span = ((PyBytes)p).Span;
            z = new byte[span.Length + 1];
            span.CopyTo(z);
            asBytes = true;
        }
        for (int i = 0; i < z.Length - 1; i++)
            if (z[i] == 0) throw Ops.ValueError(asBytes ? $"{func}: embedded null character in {arg}" : "embedded null byte");
        return new PathArg(z, o, asBytes);
    }

    public static PyObject Name(ReadOnlySpan<byte> b, bool asBytes) => asBytes ? new PyBytes(b.ToArray()) : DecodeStr(b);

    public static string StrError(int errno) => Marshal.PtrToStringUTF8(Libc.strerror(errno)) ?? $"Unknown error {errno}";

    /// <summary>The OSError subclass CPython picks for <paramref name="errno"/> (PEP 3151).</summary>
    public static PyType ErrnoType(int errno)
    {
        string? name = errno switch
        {
            11 or 114 or 115 => "BlockingIOError",      // EAGAIN/EWOULDBLOCK, EALREADY, EINPROGRESS
            10 => "ChildProcessError",                   // ECHILD
            32 or 108 => "BrokenPipeError",             // EPIPE, ESHUTDOWN
            103 => "ConnectionAbortedError",            // ECONNABORTED
            111 => "ConnectionRefusedError",            // ECONNREFUSED
            104 => "ConnectionResetError",              // ECONNRESET
            17 => "FileExistsError",                    // EEXIST
            2 => "FileNotFoundError",                   // ENOENT
            21 => "IsADirectoryError",                  // EISDIR
            20 => "NotADirectoryError",                 // ENOTDIR
            4 => "InterruptedError",                    // EINTR
            13 or 1 => "PermissionError",               // EACCES, EPERM
            3 => "ProcessLookupError",                  // ESRCH
            110 => "TimeoutError",                      // ETIMEDOUT
            _ => null,
        };
        if (name != null && PyBaseException.All.TryGetValue(name, out var t)) return t;
        return PyBaseException.OSErrorType;
    }

    public static PyException Error(int errno, PyObject? filename = null, PyObject? filename2 = null)
    {
        var t = ErrnoType(errno);
        var msg = PyStr.Of(StrError(errno));
        var e = filename == null
            ? PyBaseException.Create(t, PyInt.Get(errno), msg)
            : PyBaseException.Create(t, PyInt.Get(errno), msg, filename);
        if (filename2 != null) e.Dict!.SetItem("filename2", filename2);
        return new PyException(e);
    }

    /// <summary>The error of the libc call that just failed.</summary>
    public static PyException LastError(PyObject? filename = null, PyObject? filename2 = null)
        => Error(Marshal.GetLastPInvokeError(), filename, filename2);

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>An int argument as a C int (CPython's "i" converter): TypeError for non-integers, OverflowError out of range.</summary>
    public static int Int(PyObject o)
    {
        if (o is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
        var v = Ops.Index(o);
        if (v is PyInt i && i.BigV == null && i.V >= int.MinValue && i.V <= int.MaxValue) return (int)i.V;
        if (v is PyInt j && (j.BigV != null ? j.BigV.V.Sign > 0 : j.V > 0)) throw Ops.OverflowError("signed integer is greater than maximum");
        throw Ops.OverflowError("signed integer is less than minimum");
    }

    public static long Long(PyObject o)
    {
        if (o is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
        return Ops.IndexValue(o);
    }

    /// <summary>A file descriptor argument (CPython's fildes converter): an int, or an object with fileno().</summary>
    public static int Fd(PyObject o)
    {
        if (o is PyInt) return Int(o);
        var f = Ops.GetAttrOrNull(o, PyStr.Intern("fileno"));
        if (f == null) throw Ops.TypeError("argument must be an int, or have a fileno() method.");
        var r = Ops.Call0(f);
        if (r is not PyInt) throw Ops.TypeError("fileno() returned a non-integer");
        int fd = Int(r);
        if (fd < 0) throw Ops.ValueError($"file descriptor cannot be a negative integer ({fd})");
        return fd;
    }
}
