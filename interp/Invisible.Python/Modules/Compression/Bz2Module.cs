using System;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Compression;

/// <summary>
/// CPython's <c>_bz2</c> (Modules/_bz2module.c) over the system's libbz2.so.1: <c>BZ2Compressor</c> and
/// <c>BZ2Decompressor</c> with CPython's arguments, attributes and errors (Lib's <c>bz2</c> builds files and
/// multi-stream decompression on them).
/// </summary>
public static unsafe partial class Bz2Module
{
    private const string Lib = "libbz2.so.1";

    // bz_stream on x86-64 (80 bytes); libbz2's state points back at it, so it lives in unmanaged memory
    [StructLayout(LayoutKind.Sequential)]
    private struct BzStream
    {
        public byte* NextIn; public uint AvailIn, TotalInLo32, TotalInHi32;
        public byte* NextOut; public uint AvailOut, TotalOutLo32, TotalOutHi32;
        public nint State, BzAlloc, BzFree, Opaque;
    }

    [LibraryImport(Lib)] private static partial int BZ2_bzCompressInit(BzStream* s, int blockSize100k, int verbosity, int workFactor);
    [LibraryImport(Lib)] private static partial int BZ2_bzCompress(BzStream* s, int action);
    [LibraryImport(Lib)] private static partial int BZ2_bzCompressEnd(BzStream* s);
    [LibraryImport(Lib)] private static partial int BZ2_bzDecompressInit(BzStream* s, int verbosity, int small);
    [LibraryImport(Lib)] private static partial int BZ2_bzDecompress(BzStream* s);
    [LibraryImport(Lib)] private static partial int BZ2_bzDecompressEnd(BzStream* s);

    private const int BZ_RUN = 0, BZ_FINISH = 2, BZ_STREAM_END = 4;

    private static readonly ArgParser CompressorArgs = new("BZ2Compressor", "compresslevel=9, /");
    private static readonly ArgParser DecompressArgs = new("decompress", "data, max_length=-1");

    private static PyType? s_compressor, s_decompressor;
    private static readonly object TypesGate = new();

    public static PyModule Create()
    {
        var m = new PyModule("_bz2");
        lock (TypesGate)
        {
            s_compressor ??= MakeCompressorType();
            s_decompressor ??= MakeDecompressorType();
        }
        m.Add("BZ2Compressor", s_compressor);
        m.Add("BZ2Decompressor", s_decompressor);
        return m;
    }

    /// <summary>CPython's catch_bz2_error: a library result that is an error becomes its Python exception.</summary>
    private static void Check(int r)
    {
        switch (r)
        {
            case >= 0: return;
            case -2: throw Ops.ValueError("Internal error - invalid parameters passed to libbzip2");
            case -3: throw Ops.MemoryError();
            case -4: case -5: throw Ops.OSError("Invalid data stream");
            case -6: throw Ops.OSError("Unknown I/O error");
            case -7: throw Ops.Exc(PyBaseException.All["EOFError"], "Compressed file ended before the logical end-of-stream was detected");
            case -1: throw Ops.RuntimeError("Internal error - Invalid sequence of commands sent to libbzip2");
            default: throw Ops.OSError($"Unrecognized error from libbzip2: {r}");
        }
    }

    private static void MissingLibrary() => throw Ops.Exc(PyBaseException.ModuleNotFoundErrorType, "No module named '_bz2' (libbz2.so.1 is missing)");

    private sealed class Compressor : PyObject
    {
        private readonly PyType _type;
        private readonly BzStream* _s;
        private bool _flushed, _initialised;
        private readonly object _gate = new();

        public Compressor(PyType type, int level)
        {
            _type = type;
            _s = (BzStream*)NativeMemory.AllocZeroed((nuint)sizeof(BzStream));
            int r;
            try { r = BZ2_bzCompressInit(_s, level, 0, 0); }
            catch (DllNotFoundException) { MissingLibrary(); return; }
            Check(r);
            _initialised = true;
        }

        ~Compressor()
        {
            if (_initialised) BZ2_bzCompressEnd(_s);
            NativeMemory.Free(_s);
        }

        public override PyType Type => _type;

        public byte[] Run(ReadOnlySpan<byte> data, int action)
        {
            lock (_gate)
            {
                if (_flushed) throw Ops.ValueError(action == BZ_FINISH ? "Repeated call to flush()" : "Compressor has been flushed");
                if (action == BZ_FINISH) _flushed = true;
                var output = new MemoryStream();
                var buf = new byte[32 << 10];
                fixed (byte* ip = data) fixed (byte* op = buf)
                {
                    _s->NextIn = ip; _s->AvailIn = (uint)data.Length;
                    while (true)
                    {
                        _s->NextOut = op; _s->AvailOut = (uint)buf.Length;
                        int r = BZ2_bzCompress(_s, action);
                        Check(r);
                        output.Write(buf, 0, buf.Length - (int)_s->AvailOut);
                        if (action == BZ_FINISH ? r == BZ_STREAM_END : _s->AvailIn == 0 && _s->AvailOut != 0) break;
                    }
                    _s->NextIn = null; _s->NextOut = null;
                }
                GC.KeepAlive(this);
                return output.ToArray();
            }
        }
    }

    private sealed class Decompressor : StreamDecompressor
    {
        private readonly PyType _type;
        private readonly BzStream* _s;
        private bool _initialised;

        public Decompressor(PyType type)
        {
            _type = type;
            _s = (BzStream*)NativeMemory.AllocZeroed((nuint)sizeof(BzStream));
            int r;
            try { r = BZ2_bzDecompressInit(_s, 0, 0); }
            catch (DllNotFoundException) { MissingLibrary(); return; }
            Check(r);
            _initialised = true;
        }

        ~Decompressor()
        {
            if (_initialised) BZ2_bzDecompressEnd(_s);
            NativeMemory.Free(_s);
        }

        public override PyType Type => _type;

        protected override (int Read, int Written, bool End) Step(ReadOnlySpan<byte> input, Span<byte> output)
        {
            fixed (byte* ip = input) fixed (byte* op = output)
            {
                _s->NextIn = ip; _s->AvailIn = (uint)input.Length;
                _s->NextOut = op; _s->AvailOut = (uint)output.Length;
                int r = BZ2_bzDecompress(_s);
                int read = input.Length - (int)_s->AvailIn, written = output.Length - (int)_s->AvailOut;
                _s->NextIn = null; _s->NextOut = null;
                Check(r);
                return (read, written, r == BZ_STREAM_END);
            }
        }
    }

    private static PyType MakeCompressorType()
    {
        var t = new PyType("BZ2Compressor", PyType.ObjectType, (cls, a, k) =>
        {
            var args = CompressorArgs.Parse(a, k);
            int level = args.Int(0, 9);
            if (level < 1 || level > 9) throw Ops.ValueError("compresslevel must be between 1 and 9");
            return new Compressor(cls, level);
        }) { ModuleName = "_bz2" };
        t.AddMethod("compress", (a, k) =>
        {
            ArgParser.CheckPositional("compress", a.Slice(1), k, 1, 1);
            return new PyBytes(((Compressor)a[0]).Run(Buffers.Read(a[1]), BZ_RUN));
        });
        t.AddMethod("flush", (a, k) =>
        {
            ArgParser.NoArgs("flush", a.Slice(1), k);
            return new PyBytes(((Compressor)a[0]).Run(ReadOnlySpan<byte>.Empty, BZ_FINISH));
        });
        t.AddMethod("__reduce__", (a, k) => throw Ops.TypeError("cannot pickle '_bz2.BZ2Compressor' object"));
        return t;
    }

    private static PyType MakeDecompressorType()
    {
        var t = new PyType("BZ2Decompressor", PyType.ObjectType, (cls, a, k) =>
        {
            if (a.Length - (k?.Length ?? 0) > 0) throw Ops.TypeError("BZ2Decompressor() takes no positional arguments");
            if (k != null && k.Length > 0) throw Ops.TypeError("BZ2Decompressor() takes no keyword arguments");
            return new Decompressor(cls);
        }) { ModuleName = "_bz2" };
        StreamDecompressor.AddMembers(t, DecompressArgs);
        return t;
    }
}
