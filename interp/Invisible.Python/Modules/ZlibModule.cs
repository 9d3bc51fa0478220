using System;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>zlib</c> (Modules/zlibmodule.c) over the system's libz.so.1: one-shot compress/decompress, streaming
/// Compress/Decompress objects (wbits, zdict, flush modes, max_length, unused_data/unconsumed_tail/eof, copy),
/// crc32 and adler32. Error texts are CPython's ("Error -3 while decompressing data: incorrect header check").
/// </summary>
public static unsafe partial class ZlibModule
{
    private const string Lib = "libz.so.1";

    // z_stream on x86-64 (zlib 1.2/1.3): 112 bytes. zlib's state points back at the stream, so it lives in
    // unmanaged memory that never moves.
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn; public uint AvailIn; public nuint TotalIn;
        public byte* NextOut; public uint AvailOut; public nuint TotalOut;
        public sbyte* Msg; public nint State;
        public nint ZAlloc, ZFree, Opaque;
        public int DataType; public nuint Adler; public nuint Reserved;
    }

    [LibraryImport(Lib)] private static partial sbyte* zlibVersion();
    [LibraryImport(Lib)] private static partial int deflateInit2_(ZStream* s, int level, int method, int wbits, int memLevel, int strategy, sbyte* version, int size);
    [LibraryImport(Lib)] private static partial int deflate(ZStream* s, int flush);
    [LibraryImport(Lib)] private static partial int deflateEnd(ZStream* s);
    [LibraryImport(Lib)] private static partial int deflateCopy(ZStream* dst, ZStream* src);
    [LibraryImport(Lib)] private static partial int deflateSetDictionary(ZStream* s, byte* dict, uint len);
    [LibraryImport(Lib)] private static partial int inflateInit2_(ZStream* s, int wbits, sbyte* version, int size);
    [LibraryImport(Lib)] private static partial int inflate(ZStream* s, int flush);
    [LibraryImport(Lib)] private static partial int inflateEnd(ZStream* s);
    [LibraryImport(Lib)] private static partial int inflateCopy(ZStream* dst, ZStream* src);
    [LibraryImport(Lib)] private static partial int inflateSetDictionary(ZStream* s, byte* dict, uint len);

    private const int Z_OK = 0, Z_STREAM_END = 1, Z_NEED_DICT = 2, Z_STREAM_ERROR = -2, Z_DATA_ERROR = -3, Z_MEM_ERROR = -4, Z_BUF_ERROR = -5, Z_VERSION_ERROR = -6;
    private const int Z_NO_FLUSH = 0, Z_FINISH = 4;
    private const int DefBufSize = 16384;

    private static PyType? s_error, s_compress, s_decompress;
    private static readonly object TypesGate = new();

    public static PyType ErrorType
    {
        get { if (s_error is { } t) return t; lock (TypesGate) return s_error ??= new PyType("error", PyBaseException.ExceptionType, null) { ModuleName = "zlib" }; }
    }
    private static PyType CompressType
    {
        get { if (s_compress is { } t) return t; lock (TypesGate) return s_compress ??= MakeCompressType(); }
    }
    private static PyType DecompressType
    {
        get { if (s_decompress is { } t) return t; lock (TypesGate) return s_decompress ??= MakeDecompressType(); }
    }

    private static string Version()
    {
        try { return Marshal.PtrToStringAnsi((nint)zlibVersion()) ?? "?"; }
        catch (DllNotFoundException) { throw Ops.Exc(PyBaseException.ModuleNotFoundErrorType, "No module named 'zlib' (libz.so.1 is missing)"); }
    }

    /// <summary>CPython's zlib_error: the library's message when it has one, else a text for the code.</summary>
    private static PyException ZError(ZStream* s, int err, string what)
    {
        string? msg = err == Z_VERSION_ERROR ? "library version mismatch" : s->Msg != null ? Marshal.PtrToStringAnsi((nint)s->Msg) : null;
        msg ??= err switch
        {
            Z_BUF_ERROR => "incomplete or truncated stream",
            Z_STREAM_ERROR => "inconsistent stream state",
            Z_DATA_ERROR => "invalid input data",
            _ => null,
        };
        return Ops.Exc(ErrorType, msg == null ? $"Error {err} {what}" : $"Error {err} {what}: {msg}");
    }

    public static PyModule Create()
    {
        var version = Version();
        var m = new PyModule("zlib");
        m.Add("error", ErrorType);
        foreach (var (n, v) in new (string, int)[] {
            ("MAX_WBITS", 15), ("DEFLATED", 8), ("DEF_MEM_LEVEL", 8), ("DEF_BUF_SIZE", DefBufSize), ("Z_NO_COMPRESSION", 0),
            ("Z_BEST_SPEED", 1), ("Z_BEST_COMPRESSION", 9), ("Z_DEFAULT_COMPRESSION", -1), ("Z_FILTERED", 1),
            ("Z_HUFFMAN_ONLY", 2), ("Z_RLE", 3), ("Z_FIXED", 4), ("Z_DEFAULT_STRATEGY", 0), ("Z_NO_FLUSH", 0),
            ("Z_PARTIAL_FLUSH", 1), ("Z_SYNC_FLUSH", 2), ("Z_FULL_FLUSH", 3), ("Z_FINISH", 4), ("Z_BLOCK", 5), ("Z_TREES", 6) })
            m.Add(n, PyInt.Get(v));
        m.Add("ZLIB_VERSION", new PyStr(version));
        m.Add("ZLIB_RUNTIME_VERSION", new PyStr(version));
        m.AddFn("crc32", (a, k) =>
        {
            Ops.NoKw(k, "crc32");
            if (a.Length < 1 || a.Length > 2) throw Ops.TypeError(a.Length < 1 ? "crc32 expected at least 1 argument, got 0" : $"crc32 expected at most 2 arguments, got {a.Length}");
            return PyInt.Get((long)Checksums.Crc32(a.Length > 1 ? BinasciiModule.MaskU32(a[1]) : 0, Buffers.Read(a[0])));
        });
        m.AddFn("adler32", (a, k) =>
        {
            Ops.NoKw(k, "adler32");
            if (a.Length < 1 || a.Length > 2) throw Ops.TypeError(a.Length < 1 ? "adler32 expected at least 1 argument, got 0" : $"adler32 expected at most 2 arguments, got {a.Length}");
            return PyInt.Get((long)Checksums.Adler32(a.Length > 1 ? BinasciiModule.MaskU32(a[1]) : 1, Buffers.Read(a[0])));
        });
        m.AddFn("compress", (a, k) =>
        {
            if (Ops.PosCount(a, k) < 1) throw Ops.TypeError("compress() missing required argument 'data' (pos 1)");
            var level = Ops.Arg(a, k, 1, "level");
            var wbits = Ops.Arg(a, k, 2, "wbits");
            return new PyBytes(Compress(Buffers.Read(a[0]), level == null ? -1 : IntArg(level), wbits == null ? 15 : IntArg(wbits)));
        });
        m.AddFn("decompress", (a, k) =>
        {
            if (Ops.PosCount(a, k) < 1) throw Ops.TypeError("decompress() missing required argument 'data' (pos 1)");
            var wbits = Ops.Arg(a, k, 1, "wbits");
            var bufsize = Ops.Arg(a, k, 2, "bufsize");
            long bs = bufsize == null ? DefBufSize : Ops.IndexValue(bufsize);
            if (bs < 0) throw Ops.ValueError("bufsize must be non-negative");
            return new PyBytes(Decompress(Buffers.Read(a[0]), wbits == null ? 15 : IntArg(wbits), (int)Math.Clamp(bs, 1, int.MaxValue)));
        });
        m.AddFn("compressobj", (a, k) =>
        {
            var zdict = Ops.Arg(a, k, 5, "zdict");
            return new ZCompress(Opt(a, k, 0, "level", -1), Opt(a, k, 1, "method", 8), Opt(a, k, 2, "wbits", 15), Opt(a, k, 3, "memLevel", 8), Opt(a, k, 4, "strategy", 0),
                zdict == null || zdict == PyNone.Instance ? null : Buffers.ToArray(zdict));
        });
        m.AddFn("decompressobj", (a, k) =>
        {
            var wbits = Ops.Arg(a, k, 0, "wbits");
            var zdict = Ops.Arg(a, k, 1, "zdict");
            byte[]? dict = null;
            if (zdict != null)
            {
                if (!Buffers.TryRead(zdict, out var zd)) throw Ops.TypeError("zdict argument must support the buffer protocol");
                dict = zd.ToArray();
            }
            return new ZDecompress(wbits == null ? 15 : IntArg(wbits), dict);
        });
        return m;
    }

    private static int Opt(ReadOnlySpan<PyObject> a, PyStr[]? k, int i, string n, int d)
    {
        var o = Ops.Arg(a, k, i, n);
        return o == null ? d : IntArg(o);
    }

    private static int IntArg(PyObject o)
    {
        long v = Ops.IndexValue(o);
        if (v > int.MaxValue) throw Ops.OverflowError("signed integer is greater than maximum");
        if (v < int.MinValue) throw Ops.OverflowError("signed integer is less than minimum");
        return (int)v;
    }

    private static ZStream* NewStream() => (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));

    // CPython's _BlocksOutputBuffer block sizes: deflate's stored (level 0) blocks end where an output block ends,
    // so the same sizes give byte-identical output.
    private static readonly int[] OutputBlocks = { 32 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20, 16 << 20, 32 << 20, 32 << 20, 32 << 20, 32 << 20, 64 << 20, 64 << 20, 128 << 20, 128 << 20, 256 << 20 };

    /// <summary>Runs deflate over all of <paramref name="input"/> with <paramref name="flush"/>, appending output.</summary>
    private static int Deflate(ZStream* s, ReadOnlySpan<byte> input, int flush, MemoryStream output)
    {
        int err, block = 0;
        fixed (byte* ip = input)
        {
            s->NextIn = ip; s->AvailIn = (uint)input.Length;
            do
            {
                var buf = new byte[OutputBlocks[Math.Min(block++, OutputBlocks.Length - 1)]];
                fixed (byte* op = buf)
                {
                    s->NextOut = op; s->AvailOut = (uint)buf.Length;
                    err = deflate(s, flush);
                    s->NextOut = null;
                }
                if (err == Z_STREAM_ERROR) break;
                output.Write(buf, 0, buf.Length - (int)s->AvailOut);
            } while (s->AvailOut == 0 || s->AvailIn != 0);
            s->NextIn = null;
        }
        return err;
    }

    private static byte[] Compress(ReadOnlySpan<byte> data, int level, int wbits)
    {
        var s = NewStream();
        try
        {
            int err = deflateInit2_(s, level, 8, wbits, 8, 0, zlibVersion(), sizeof(ZStream));
            if (err == Z_MEM_ERROR) throw Ops.MemoryError();
            if (err == Z_STREAM_ERROR) throw Ops.Exc(ErrorType, "Bad compression level");
            if (err != Z_OK) { deflateEnd(s); throw ZError(s, err, "while compressing data"); }
            var output = new MemoryStream();
            err = Deflate(s, data, Z_FINISH, output);
            if (err != Z_STREAM_END) { var e = ZError(s, err, "while compressing data"); deflateEnd(s); throw e; }
            err = deflateEnd(s);
            if (err != Z_OK) throw ZError(s, err, "while finishing compression");
            return output.ToArray();
        }
        finally { NativeMemory.Free(s); }
    }

    private static byte[] Decompress(ReadOnlySpan<byte> data, int wbits, int bufsize)
    {
        var s = NewStream();
        try
        {
            int err = inflateInit2_(s, wbits, zlibVersion(), sizeof(ZStream));
            if (err == Z_MEM_ERROR) throw Ops.MemoryError();
            if (err != Z_OK) { inflateEnd(s); throw ZError(s, err, "while preparing to decompress data"); }
            var output = new MemoryStream();
            var buf = new byte[Math.Min(Math.Max(bufsize, 64), 1 << 20)];
            fixed (byte* ip = data) fixed (byte* op = buf)
            {
                s->NextIn = ip; s->AvailIn = (uint)data.Length;
                do
                {
                    s->NextOut = op; s->AvailOut = (uint)buf.Length;
                    err = inflate(s, data.Length == 0 ? Z_FINISH : Z_NO_FLUSH);
                    if (err != Z_OK && err != Z_STREAM_END && err != Z_BUF_ERROR)
                    {
                        var e = err == Z_NEED_DICT ? Ops.Exc(ErrorType, $"Error {err} while decompressing data") : ZError(s, err, "while decompressing data");
                        inflateEnd(s);
                        throw e;
                    }
                    output.Write(buf, 0, buf.Length - (int)s->AvailOut);
                } while (err != Z_STREAM_END && (s->AvailOut == 0 || s->AvailIn != 0) && !(err == Z_BUF_ERROR && s->AvailOut != 0));
                s->NextIn = null; s->NextOut = null;
            }
            if (err != Z_STREAM_END)
            {
                inflateEnd(s);
                throw Ops.Exc(ErrorType, "Error -5 while decompressing data: incomplete or truncated stream");
            }
            err = inflateEnd(s);
            if (err != Z_OK) throw ZError(s, err, "while finishing decompression");
            return output.ToArray();
        }
        finally { NativeMemory.Free(s); }
    }

    // ---------------- Compress objects ----------------

    private sealed class ZCompress : PyObject
    {
        internal ZStream* S;
        internal bool Initialised;
        private readonly object _gate = new();

        private ZCompress() { S = NewStream(); }

        public ZCompress(int level, int method, int wbits, int memLevel, int strategy, byte[]? zdict) : this()
        {
            int err = deflateInit2_(S, level, method, wbits, memLevel, strategy, zlibVersion(), sizeof(ZStream));
            if (err == Z_MEM_ERROR) throw Ops.MemoryError();
            if (err == Z_STREAM_ERROR) throw Ops.ValueError("Invalid initialization option");
            if (err != Z_OK) throw ZError(S, err, "while creating compression object");
            Initialised = true;
            if (zdict != null)
                fixed (byte* d = zdict)
                {
                    err = deflateSetDictionary(S, d, (uint)zdict.Length);
                    if (err == Z_STREAM_ERROR) throw Ops.ValueError("Invalid dictionary");
                    if (err != Z_OK) throw ZError(S, err, "while setting zdict");
                }
        }

        ~ZCompress()
        {
            if (Initialised) deflateEnd(S);
            NativeMemory.Free(S);
        }

        public override PyType Type => CompressType;

        public byte[] Compress(ReadOnlySpan<byte> data)
        {
            lock (_gate)
            {
                if (!Initialised) throw Ops.Exc(ErrorType, "Error -2 while compressing data: inconsistent stream state");
                var output = new MemoryStream();
                int err = Deflate(S, data, Z_NO_FLUSH, output);
                if (err != Z_OK && err != Z_BUF_ERROR) throw ZError(S, err, "while compressing data");
                GC.KeepAlive(this);
                return output.ToArray();
            }
        }

        public byte[] Flush(int mode)
        {
            lock (_gate)
            {
                if (mode == Z_NO_FLUSH) return Array.Empty<byte>();
                if (!Initialised) throw Ops.Exc(ErrorType, "Error -2 while flushing: inconsistent stream state");
                var output = new MemoryStream();
                int err = Deflate(S, ReadOnlySpan<byte>.Empty, mode, output);
                if (err == Z_STREAM_END && mode == Z_FINISH)
                {
                    err = deflateEnd(S);
                    Initialised = false;
                    if (err != Z_OK) throw ZError(S, err, "while finishing compression");
                }
                else if (err != Z_OK && err != Z_BUF_ERROR) throw ZError(S, err, "while flushing");
                GC.KeepAlive(this);
                return output.ToArray();
            }
        }

        public ZCompress Copy()
        {
            lock (_gate)
            {
                if (!Initialised) throw Ops.ValueError("Inconsistent stream state");
                var c = new ZCompress();
                int err = deflateCopy(c.S, S);
                if (err == Z_STREAM_ERROR) throw Ops.ValueError("Inconsistent stream state");
                if (err == Z_MEM_ERROR) throw Ops.MemoryError();
                if (err != Z_OK) throw ZError(S, err, "while copying compression object");
                c.Initialised = true;
                return c;
            }
        }
    }

    private static PyType MakeCompressType()
    {
        var t = new PyType("Compress", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create 'zlib.Compress' instances")) { ModuleName = "zlib" };
        t.AddMethod("compress", (a, k) =>
        {
            Ops.NoKw(k, "compress");
            if (a.Length != 2) throw Ops.TypeError($"compress() takes exactly one argument ({a.Length - 1} given)");
            return new PyBytes(((ZCompress)a[0]).Compress(Buffers.Read(a[1])));
        });
        t.AddMethod("flush", (a, k) =>
        {
            Ops.NoKw(k, "flush");
            return new PyBytes(((ZCompress)a[0]).Flush(a.Length > 1 ? IntArg(a[1]) : Z_FINISH));
        });
        t.AddMethod("copy", (a, k) => ((ZCompress)a[0]).Copy());
        t.AddMethod("__copy__", (a, k) => ((ZCompress)a[0]).Copy());
        t.AddMethod("__deepcopy__", (a, k) => ((ZCompress)a[0]).Copy());
        return t;
    }

    // ---------------- Decompress objects ----------------

    private sealed class ZDecompress : PyObject
    {
        internal ZStream* S;
        internal bool Initialised;
        internal byte[] UnusedData = Array.Empty<byte>();
        internal byte[] UnconsumedTail = Array.Empty<byte>();
        internal bool Eof;
        internal byte[]? ZDict;
        private readonly object _gate = new();

        private ZDecompress() { S = NewStream(); }

        public ZDecompress(int wbits, byte[]? zdict) : this()
        {
            ZDict = zdict;
            int err = inflateInit2_(S, wbits, zlibVersion(), sizeof(ZStream));
            if (err == Z_MEM_ERROR) throw Ops.MemoryError();
            if (err == Z_STREAM_ERROR) throw Ops.ValueError("Invalid initialization option");
            if (err != Z_OK) throw ZError(S, err, "while creating decompression object");
            Initialised = true;
            // A raw stream (negative wbits) takes its dictionary up front; the others ask for it (Z_NEED_DICT).
            if (zdict != null && wbits < 0) SetDict();
        }

        ~ZDecompress()
        {
            if (Initialised) inflateEnd(S);
            NativeMemory.Free(S);
        }

        public override PyType Type => DecompressType;

        private void SetDict()
        {
            fixed (byte* d = ZDict)
            {
                int err = inflateSetDictionary(S, d, (uint)ZDict!.Length);
                if (err != Z_OK) throw ZError(S, err, "while setting zdict");
            }
        }

        /// <summary>Inflates <paramref name="data"/>, at most <paramref name="maxLength"/> bytes out (0: no limit);
        /// input left when the limit is hit becomes unconsumed_tail, input after the end of the stream unused_data.</summary>
        public byte[] Decompress(ReadOnlySpan<byte> data, long maxLength, int flush)
        {
            lock (_gate)
            {
                if (!Initialised) throw Ops.Exc(ErrorType, "Error -2 while decompressing data: inconsistent stream state");
                var output = new MemoryStream();
                var buf = new byte[maxLength > 0 ? (int)Math.Min(maxLength, DefBufSize) : DefBufSize];
                int err = Z_OK;
                fixed (byte* ip = data) fixed (byte* op = buf)
                {
                    S->NextIn = ip; S->AvailIn = (uint)data.Length;
                    while (true)
                    {
                        int room = buf.Length;
                        if (maxLength > 0) room = (int)Math.Min(room, maxLength - output.Length);
                        if (room <= 0) break;
                        S->NextOut = op; S->AvailOut = (uint)room;
                        err = inflate(S, flush);
                        if (err == Z_NEED_DICT && ZDict != null)
                        {
                            SetDict();
                            err = inflate(S, flush);
                        }
                        output.Write(buf, 0, room - (int)S->AvailOut);
                        if (err != Z_OK && err != Z_BUF_ERROR && err != Z_STREAM_END)
                        {
                            S->NextIn = null; S->NextOut = null;
                            throw err == Z_NEED_DICT ? Ops.Exc(ErrorType, $"Error {err} while decompressing data") : ZError(S, err, "while decompressing data");
                        }
                        if (err == Z_STREAM_END) break;
                        if (S->AvailOut != 0) break; // all input consumed that can be
                        if (S->AvailIn == 0 && err == Z_BUF_ERROR) break;
                    }
                    int consumed = data.Length - (int)S->AvailIn;
                    S->NextIn = null; S->NextOut = null;
                    if (err == Z_STREAM_END)
                    {
                        Eof = true;
                        var rest = data.Slice(consumed);
                        if (rest.Length > 0)
                        {
                            var u = new byte[UnusedData.Length + rest.Length];
                            UnusedData.CopyTo(u, 0); rest.CopyTo(u.AsSpan(UnusedData.Length));
                            UnusedData = u;
                        }
                        UnconsumedTail = Array.Empty<byte>();
                    }
                    else UnconsumedTail = data.Slice(consumed).ToArray();
                }
                GC.KeepAlive(this);
                return output.ToArray();
            }
        }

        public byte[] Flush(long length)
        {
            byte[] r;
            var tail = UnconsumedTail;
            r = Decompress(tail, 0, Z_FINISH);
            if (Eof && Initialised)
            {
                inflateEnd(S);
                Initialised = false;
            }
            _ = length;
            return r;
        }

        public ZDecompress Copy()
        {
            lock (_gate)
            {
                if (!Initialised) throw Ops.ValueError("Inconsistent stream state");
                var c = new ZDecompress();
                int err = inflateCopy(c.S, S);
                if (err == Z_STREAM_ERROR) throw Ops.ValueError("Inconsistent stream state");
                if (err == Z_MEM_ERROR) throw Ops.MemoryError();
                if (err != Z_OK) throw ZError(S, err, "while copying decompression object");
                c.Initialised = true;
                c.UnusedData = UnusedData; c.UnconsumedTail = UnconsumedTail; c.Eof = Eof; c.ZDict = ZDict;
                return c;
            }
        }
    }

    private static PyType MakeDecompressType()
    {
        var t = new PyType("Decompress", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create 'zlib.Decompress' instances")) { ModuleName = "zlib" };
        static ZDecompress D(PyObject o) => (ZDecompress)o;
        t.AddMethod("decompress", (a, k) =>
        {
            var data = Ops.Arg(a, k, 1, "data") ?? throw Ops.TypeError("decompress() missing required argument 'data' (pos 1)");
            var ml = Ops.Arg(a, k, 2, "max_length");
            long maxLength = ml == null ? 0 : Ops.IndexValue(ml);
            if (maxLength < 0) throw Ops.ValueError("max_length must be non-negative");
            return new PyBytes(D(a[0]).Decompress(Buffers.Read(data), maxLength, Z_NO_FLUSH));
        });
        t.AddMethod("flush", (a, k) =>
        {
            var l = Ops.Arg(a, k, 1, "length");
            long length = l == null ? DefBufSize : Ops.IndexValue(l);
            if (length <= 0) throw Ops.ValueError("length must be greater than zero");
            var d = D(a[0]);
            if (!d.Initialised) return new PyBytes(Array.Empty<byte>());
            return new PyBytes(d.Flush(length));
        });
        t.AddMethod("copy", (a, k) => D(a[0]).Copy());
        t.AddMethod("__copy__", (a, k) => D(a[0]).Copy());
        t.AddMethod("__deepcopy__", (a, k) => D(a[0]).Copy());
        t.SetMember("unused_data", new PyProperty(new PyBuiltinFunction("unused_data", (a, k) => new PyBytes(D(a[0]).UnusedData)), null, null, null));
        t.SetMember("unconsumed_tail", new PyProperty(new PyBuiltinFunction("unconsumed_tail", (a, k) => new PyBytes(D(a[0]).UnconsumedTail)), null, null, null));
        t.SetMember("eof", new PyProperty(new PyBuiltinFunction("eof", (a, k) => PyBool.Of(D(a[0]).Eof)), null, null, null));
        return t;
    }
}
