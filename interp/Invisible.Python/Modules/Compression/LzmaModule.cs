using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Compression;

/// <summary>
/// CPython's <c>_lzma</c> (Modules/_lzmamodule.c) over the system's liblzma.so.5: <c>LZMACompressor</c> and
/// <c>LZMADecompressor</c> for the .xz, legacy .lzma and raw formats, presets and filter chains given as dicts
/// (LZMA1/LZMA2 options, delta, the BCJ filters), integrity checks, memory limits, and the filter-properties
/// helpers zipfile uses. Errors are CPython's (<c>LZMAError</c> with liblzma's reason, ValueError for bad options).
/// </summary>
public static unsafe partial class LzmaModule
{
    private const string Lib = "liblzma.so.5";

    // lzma_stream is 136 bytes on x86-64, zero-initialised (LZMA_STREAM_INIT); only its first fields are touched
    private const int StreamSize = 136;
    [StructLayout(LayoutKind.Sequential)]
    private struct LzmaStream
    {
        public byte* NextIn; public nuint AvailIn; public ulong TotalIn;
        public byte* NextOut; public nuint AvailOut; public ulong TotalOut;
    }

    // lzma_filter: id + options pointer; a chain ends with LZMA_VLI_UNKNOWN
    [StructLayout(LayoutKind.Sequential)]
    private struct LzmaFilter { public ulong Id; public void* Options; }

    [LibraryImport(Lib)] private static partial int lzma_easy_encoder(LzmaStream* s, uint preset, int check);
    [LibraryImport(Lib)] private static partial int lzma_alone_encoder(LzmaStream* s, void* options);
    [LibraryImport(Lib)] private static partial int lzma_stream_encoder(LzmaStream* s, LzmaFilter* filters, int check);
    [LibraryImport(Lib)] private static partial int lzma_raw_encoder(LzmaStream* s, LzmaFilter* filters);
    [LibraryImport(Lib)] private static partial int lzma_auto_decoder(LzmaStream* s, ulong memlimit, uint flags);
    [LibraryImport(Lib)] private static partial int lzma_stream_decoder(LzmaStream* s, ulong memlimit, uint flags);
    [LibraryImport(Lib)] private static partial int lzma_alone_decoder(LzmaStream* s, ulong memlimit);
    [LibraryImport(Lib)] private static partial int lzma_raw_decoder(LzmaStream* s, LzmaFilter* filters);
    [LibraryImport(Lib)] private static partial int lzma_code(LzmaStream* s, int action);
    [LibraryImport(Lib)] private static partial void lzma_end(LzmaStream* s);
    [LibraryImport(Lib)] private static partial int lzma_get_check(LzmaStream* s);
    [LibraryImport(Lib)] private static partial byte lzma_check_is_supported(int check);
    [LibraryImport(Lib)] private static partial byte lzma_lzma_preset(void* options, uint preset);
    [LibraryImport(Lib)] private static partial int lzma_properties_size(uint* size, LzmaFilter* filter);
    [LibraryImport(Lib)] private static partial int lzma_properties_encode(LzmaFilter* filter, byte* props);
    [LibraryImport(Lib)] private static partial int lzma_properties_decode(LzmaFilter* filter, void* allocator, byte* props, nuint size);

    private const int FormatAuto = 0, FormatXz = 1, FormatAlone = 2, FormatRaw = 3;
    private const int CheckNone = 0, CheckCrc32 = 1, CheckCrc64 = 4, CheckSha256 = 10, CheckIdMax = 15, CheckUnknown = 16;
    private const ulong FilterLzma1 = 0x4000000000000001, FilterLzma2 = 0x21, FilterDelta = 3;
    private const ulong VliUnknown = ulong.MaxValue;
    private const int LzmaOk = 0, LzmaStreamEnd = 1, LzmaNoCheck = 2, LzmaGetCheck = 4;
    private const int LzmaRun = 0, LzmaFinish = 3;
    private const uint TellNoCheck = 1, TellAnyCheck = 4;
    private const int OptionsSize = 128; // lzma_options_lzma (112 bytes in liblzma 5.4) with room to spare
    private const int MaxFilters = 4;

    private static readonly ArgParser CompressorArgs = new("LZMACompressor", "format=1, check=-1, preset=None, filters=None");
    private static readonly ArgParser DecompressorArgs = new("LZMADecompressor", "format=0, memlimit=None, filters=None");
    private static readonly ArgParser DecompressArgs = new("decompress", "data, max_length=-1");

    private static PyType? s_error, s_compressor, s_decompressor;
    private static readonly object TypesGate = new();

    private static PyType ErrorType { get { lock (TypesGate) return s_error ??= new PyType("LZMAError", PyBaseException.ExceptionType, null) { ModuleName = "_lzma" }; } }

    public static PyModule Create()
    {
        var m = new PyModule("_lzma");
        lock (TypesGate)
        {
            s_compressor ??= MakeCompressorType();
            s_decompressor ??= MakeDecompressorType();
        }
        m.Add("LZMAError", ErrorType);
        m.Add("LZMACompressor", s_compressor);
        m.Add("LZMADecompressor", s_decompressor);
        foreach (var (n, v) in new (string, long)[] {
            ("CHECK_CRC32", CheckCrc32), ("CHECK_CRC64", CheckCrc64), ("CHECK_ID_MAX", CheckIdMax), ("CHECK_NONE", CheckNone),
            ("CHECK_SHA256", CheckSha256), ("CHECK_UNKNOWN", CheckUnknown), ("FILTER_ARM", 7), ("FILTER_ARMTHUMB", 8),
            ("FILTER_DELTA", 3), ("FILTER_IA64", 6), ("FILTER_LZMA1", unchecked((long)FilterLzma1)), ("FILTER_LZMA2", 33),
            ("FILTER_POWERPC", 5), ("FILTER_SPARC", 9), ("FILTER_X86", 4), ("FORMAT_ALONE", FormatAlone), ("FORMAT_AUTO", FormatAuto),
            ("FORMAT_RAW", FormatRaw), ("FORMAT_XZ", FormatXz), ("MF_BT2", 18), ("MF_BT3", 19), ("MF_BT4", 20), ("MF_HC3", 3),
            ("MF_HC4", 4), ("MODE_FAST", 1), ("MODE_NORMAL", 2), ("PRESET_DEFAULT", 6), ("PRESET_EXTREME", 0x80000000L) })
            m.Add(n, PyInt.Get(v));
        m.AddFn("is_check_supported", (a, k) =>
        {
            ArgParser.CheckPositional("is_check_supported", a, k, 1, 1);
            int id = ArgParser.ToCInt(a[0]);
            return PyBool.Of(lzma_check_is_supported(id) != 0);
        });
        m.AddFn("_encode_filter_properties", (a, k) =>
        {
            ArgParser.CheckPositional("_encode_filter_properties", a, k, 1, 1);
            using var chain = new FilterChain();
            var f = chain.Parse(a[0]);
            uint size;
            Check(lzma_properties_size(&size, &f));
            var props = new byte[size];
            fixed (byte* p = props) Check(lzma_properties_encode(&f, p));
            return new PyBytes(props);
        });
        m.AddFn("_decode_filter_properties", (a, k) =>
        {
            ArgParser.CheckPositional("_decode_filter_properties", a, k, 2, 2);
            ulong id = FilterId(a[0]);
            var props = Buffers.Read(a[1]);
            var f = new LzmaFilter { Id = id };
            fixed (byte* p = props) Check(lzma_properties_decode(&f, null, p, (nuint)props.Length));
            try { return BuildFilterSpec(f); }
            finally { if (f.Options != null) NativeMemory.Free(f.Options); }
        });
        return m;
    }

    private static ulong FilterId(PyObject o)
    {
        if (o is not PyInt i) throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
        var b = i.Big;
        if (b < 0) throw Ops.OverflowError("can't convert negative int to unsigned");
        if (b > ulong.MaxValue) throw Ops.OverflowError("Python int too large to convert to C unsigned long");
        return (ulong)b;
    }

    /// <summary>CPython's catch_lzma_error.</summary>
    private static int Check(int r)
    {
        switch (r)
        {
            case LzmaOk: case LzmaStreamEnd: case LzmaNoCheck: case LzmaGetCheck: return r;
            case 3: throw Ops.Exc(ErrorType, "Unsupported integrity check");
            case 5: throw Ops.MemoryError();
            case 6: throw Ops.Exc(ErrorType, "Memory usage limit exceeded");
            case 7: throw Ops.Exc(ErrorType, "Input format not supported by decoder");
            case 8: throw Ops.Exc(ErrorType, "Invalid or unsupported options");
            case 9: throw Ops.Exc(ErrorType, "Corrupt input data");
            case 10: throw Ops.Exc(ErrorType, "Insufficient buffer space");
            case 11: throw Ops.Exc(ErrorType, "Internal error");
            default: throw Ops.Exc(ErrorType, $"Unrecognized error from liblzma: {r}");
        }
    }

    private static uint Preset(PyObject o)
    {
        long v = Ops.IndexValue(o);
        if (v < 0 || v > uint.MaxValue) throw Ops.OverflowError("Python int too large to convert to C unsigned int");
        return (uint)v;
    }

    /// <summary>A filter chain parsed from Python dicts (CPython's parse_filter_chain_spec); owns the option memory.</summary>
    private sealed class FilterChain : IDisposable
    {
        public readonly LzmaFilter* Filters = (LzmaFilter*)NativeMemory.AllocZeroed((nuint)(sizeof(LzmaFilter) * (MaxFilters + 1)));
        private readonly List<nint> _owned = new();

        public void Dispose()
        {
            foreach (var p in _owned) NativeMemory.Free((void*)p);
            NativeMemory.Free(Filters);
        }

        private void* Alloc(int size) { var p = NativeMemory.AllocZeroed((nuint)size); _owned.Add((nint)p); return p; }

        public void ParseChain(PyObject spec)
        {
            var items = new List<PyObject>();
            var it = Ops.GetIter(spec);
            while (Ops.Next(it) is { } x) items.Add(x);
            if (items.Count > MaxFilters) throw Ops.ValueError($"Too many filters - liblzma supports a maximum of {MaxFilters}");
            for (int i = 0; i < items.Count; i++) Filters[i] = Parse(items[i]);
            Filters[items.Count].Id = VliUnknown;
        }

        public LzmaFilter Parse(PyObject spec)
        {
            if (spec is not PyDict && !Ops.HasAttr(spec, "__getitem__")) throw Ops.TypeError("Filter specifier must be a dict or dict-like object");
            PyObject? Get(string key)
            {
                try { return Ops.GetItem(spec, PyStr.Of(key)); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.KeyErrorType)) { return null; }
            }
            var idObj = Get("id") ?? throw Ops.ValueError("Filter specifier must have an \"id\" entry");
            ulong id = FilterId(idObj);
            var keys = new List<string>();
            if (spec is PyDict d) foreach (var kv in d.Items()) keys.Add(kv.Key is PyStr ks ? ks.Value : "");
            void Allowed(string what, params string[] names)
            {
                foreach (var key in keys)
                    if (key != "id" && Array.IndexOf(names, key) < 0) throw Ops.ValueError($"Invalid filter specifier for {what} filter");
            }
            switch (id)
            {
                case FilterLzma1: case FilterLzma2:
                {
                    Allowed("LZMA", "preset", "dict_size", "lc", "lp", "pb", "mode", "nice_len", "mf", "depth");
                    uint preset = Get("preset") is { } p ? Preset(p) : 6;
                    var opts = (byte*)Alloc(OptionsSize);
                    if (lzma_lzma_preset(opts, preset) != 0) throw Ops.Exc(ErrorType, $"Invalid compression preset: {preset}");
                    // lzma_options_lzma: dict_size@0, preset_dict@8, preset_dict_size@16, lc@20, lp@24, pb@28, mode@32, nice_len@36, mf@40, depth@44
                    void Set(string key, int off) { if (Get(key) is { } v) *(uint*)(opts + off) = Preset(v); }
                    Set("dict_size", 0); Set("lc", 20); Set("lp", 24); Set("pb", 28); Set("mode", 32); Set("nice_len", 36); Set("mf", 40); Set("depth", 44);
                    return new LzmaFilter { Id = id, Options = opts };
                }
                case FilterDelta:
                {
                    Allowed("delta", "dist");
                    uint dist = Get("dist") is { } v ? Preset(v) : 1;
                    var opts = (uint*)Alloc(32); // lzma_options_delta: type@0, dist@4
                    opts[0] = 0; opts[1] = dist;
                    return new LzmaFilter { Id = id, Options = opts };
                }
                case 4: case 5: case 6: case 7: case 8: case 9:
                {
                    Allowed("BCJ", "start_offset");
                    if (Get("start_offset") is { } v)
                    {
                        var opts = (uint*)Alloc(8);
                        opts[0] = Preset(v);
                        return new LzmaFilter { Id = id, Options = opts };
                    }
                    return new LzmaFilter { Id = id, Options = null };
                }
                default:
                    throw Ops.ValueError($"Invalid filter ID: {id}");
            }
        }
    }

    /// <summary>CPython's build_filter_spec: the dict of a decoded filter.</summary>
    private static PyObject BuildFilterSpec(LzmaFilter f)
    {
        var d = new PyDict();
        d.SetItem(PyStr.Of("id"), PyInt.Get(new System.Numerics.BigInteger(f.Id)));
        var o = (byte*)f.Options;
        switch (f.Id)
        {
            case FilterLzma1:
                d.SetItem(PyStr.Of("lc"), PyInt.Get(*(uint*)(o + 20)));
                d.SetItem(PyStr.Of("lp"), PyInt.Get(*(uint*)(o + 24)));
                d.SetItem(PyStr.Of("pb"), PyInt.Get(*(uint*)(o + 28)));
                d.SetItem(PyStr.Of("dict_size"), PyInt.Get(*(uint*)o));
                break;
            case FilterLzma2:
                d.SetItem(PyStr.Of("dict_size"), PyInt.Get(*(uint*)o));
                break;
            case FilterDelta:
                d.SetItem(PyStr.Of("dist"), PyInt.Get(*(uint*)(o + 4)));
                break;
            default:
                if (o != null) d.SetItem(PyStr.Of("start_offset"), PyInt.Get(*(uint*)o));
                break;
        }
        return d;
    }

    private static LzmaStream* NewStream() => (LzmaStream*)NativeMemory.AllocZeroed(StreamSize);

    private static void MissingLibrary() => throw Ops.Exc(PyBaseException.ModuleNotFoundErrorType, "No module named '_lzma' (liblzma.so.5 is missing)");

    private sealed class Compressor : PyObject
    {
        private readonly PyType _type;
        private readonly LzmaStream* _s = NewStream();
        private bool _flushed;
        private readonly object _gate = new();

        public Compressor(PyType type, int format, int check, PyObject? preset, PyObject? filters)
        {
            _type = type;
            uint p = preset == null || preset == PyNone.Instance ? 6 : Preset(preset);
            using var chain = new FilterChain();
            bool hasFilters = filters != null && filters != PyNone.Instance;
            if (hasFilters) chain.ParseChain(filters!);
            try
            {
                switch (format)
                {
                    case FormatXz:
                        if (check == -1) check = CheckCrc64;
                        Check(hasFilters ? lzma_stream_encoder(_s, chain.Filters, check) : lzma_easy_encoder(_s, p, check));
                        break;
                    case FormatAlone:
                        if (hasFilters)
                        {
                            if (chain.Filters[0].Id != FilterLzma1 || chain.Filters[1].Id != VliUnknown)
                                throw Ops.ValueError("Invalid filter chain for FORMAT_ALONE - must be a single LZMA1 filter");
                            Check(lzma_alone_encoder(_s, chain.Filters[0].Options));
                        }
                        else
                        {
                            var opts = NativeMemory.AllocZeroed(OptionsSize);
                            try
                            {
                                if (lzma_lzma_preset(opts, p) != 0) throw Ops.Exc(ErrorType, $"Invalid compression preset: {p}");
                                Check(lzma_alone_encoder(_s, opts));
                            }
                            finally { NativeMemory.Free(opts); }
                        }
                        break;
                    case FormatRaw:
                        Check(lzma_raw_encoder(_s, chain.Filters));
                        break;
                }
            }
            catch (DllNotFoundException) { MissingLibrary(); }
        }

        ~Compressor()
        {
            lzma_end(_s);
            NativeMemory.Free(_s);
        }

        public override PyType Type => _type;

        public byte[] Run(ReadOnlySpan<byte> data, int action)
        {
            lock (_gate)
            {
                if (_flushed) throw Ops.ValueError(action == LzmaFinish ? "Repeated call to flush()" : "Compressor has been flushed");
                if (action == LzmaFinish) _flushed = true;
                var output = new MemoryStream();
                var buf = new byte[32 << 10];
                fixed (byte* ip = data) fixed (byte* op = buf)
                {
                    _s->NextIn = ip; _s->AvailIn = (nuint)data.Length;
                    while (true)
                    {
                        _s->NextOut = op; _s->AvailOut = (nuint)buf.Length;
                        int r = lzma_code(_s, action);
                        if (r == 10 /* LZMA_BUF_ERROR */ && _s->AvailIn == 0 && _s->AvailOut != 0) r = LzmaOk;
                        Check(r);
                        output.Write(buf, 0, buf.Length - (int)_s->AvailOut);
                        if (action == LzmaRun && _s->AvailIn == 0 && _s->AvailOut != 0) break;
                        if (action == LzmaFinish && r == LzmaStreamEnd) break;
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
        private readonly LzmaStream* _s = NewStream();
        public int CheckId;

        public Decompressor(PyType type, int format, ulong memlimit, PyObject? filters)
        {
            _type = type;
            CheckId = format == FormatRaw ? CheckNone : CheckUnknown;
            try
            {
                switch (format)
                {
                    case FormatAuto: Check(lzma_auto_decoder(_s, memlimit, TellAnyCheck | TellNoCheck)); break;
                    case FormatXz: Check(lzma_stream_decoder(_s, memlimit, TellAnyCheck | TellNoCheck)); break;
                    case FormatAlone: Check(lzma_alone_decoder(_s, memlimit)); break;
                    case FormatRaw:
                        using (var chain = new FilterChain())
                        {
                            chain.ParseChain(filters!);
                            Check(lzma_raw_decoder(_s, chain.Filters));
                        }
                        break;
                }
            }
            catch (DllNotFoundException) { MissingLibrary(); }
        }

        ~Decompressor()
        {
            lzma_end(_s);
            NativeMemory.Free(_s);
        }

        public override PyType Type => _type;

        protected override (int Read, int Written, bool End) Step(ReadOnlySpan<byte> input, Span<byte> output)
        {
            fixed (byte* ip = input) fixed (byte* op = output)
            {
                _s->NextIn = ip; _s->AvailIn = (nuint)input.Length;
                _s->NextOut = op; _s->AvailOut = (nuint)output.Length;
                int r = lzma_code(_s, LzmaRun);
                int read = input.Length - (int)_s->AvailIn, written = output.Length - (int)_s->AvailOut;
                _s->NextIn = null; _s->NextOut = null;
                if (r == 10 /* LZMA_BUF_ERROR: no progress, more input needed */) r = LzmaOk;
                Check(r);
                if (r == LzmaGetCheck || r == LzmaNoCheck) CheckId = lzma_get_check(_s);
                return (read, written, r == LzmaStreamEnd);
            }
        }
    }

    private static PyType MakeCompressorType()
    {
        var t = new PyType("LZMACompressor", PyType.ObjectType, (cls, a, k) =>
        {
            var args = CompressorArgs.Parse(a, k);
            int format = args.Int(0, FormatXz), check = args.Int(1, -1);
            var preset = args[2]; var filters = args[3];
            bool hasPreset = preset != null && preset != PyNone.Instance, hasFilters = filters != null && filters != PyNone.Instance;
            if (format != FormatXz && format != FormatAlone && format != FormatRaw) throw Ops.ValueError($"Invalid container format: {format}");
            if (format != FormatXz && check != -1 && check != CheckNone) throw Ops.ValueError("Integrity checks are only supported by FORMAT_XZ");
            if (hasPreset && hasFilters) throw Ops.ValueError("Cannot specify both preset and filter chain");
            if (format == FormatRaw && !hasFilters) throw Ops.ValueError("Must specify filters for FORMAT_RAW");
            return new Compressor(cls, format, check, preset, filters);
        }) { ModuleName = "_lzma" };
        t.AddMethod("compress", (a, k) =>
        {
            ArgParser.CheckPositional("compress", a.Slice(1), k, 1, 1);
            return new PyBytes(((Compressor)a[0]).Run(Buffers.Read(a[1]), LzmaRun));
        });
        t.AddMethod("flush", (a, k) =>
        {
            ArgParser.NoArgs("flush", a.Slice(1), k);
            return new PyBytes(((Compressor)a[0]).Run(ReadOnlySpan<byte>.Empty, LzmaFinish));
        });
        t.AddMethod("__reduce__", (a, k) => throw Ops.TypeError("cannot pickle '_lzma.LZMACompressor' object"));
        return t;
    }

    private static PyType MakeDecompressorType()
    {
        var t = new PyType("LZMADecompressor", PyType.ObjectType, (cls, a, k) =>
        {
            var args = DecompressorArgs.Parse(a, k);
            int format = args.Int(0, FormatAuto);
            var memObj = args[1]; var filters = args[2];
            bool hasMem = memObj != null && memObj != PyNone.Instance, hasFilters = filters != null && filters != PyNone.Instance;
            if (hasMem && format == FormatRaw) throw Ops.ValueError("Cannot specify memory limit with FORMAT_RAW");
            ulong memlimit = hasMem ? (ulong)Math.Max(0, Ops.IndexValue(memObj!)) : ulong.MaxValue;
            if (format < FormatAuto || format > FormatRaw) throw Ops.ValueError($"Invalid container format: {format}");
            if (format == FormatRaw && !hasFilters) throw Ops.ValueError("Must specify filters for FORMAT_RAW");
            if (format != FormatRaw && hasFilters) throw Ops.ValueError("Cannot specify filters except with FORMAT_RAW");
            return new Decompressor(cls, format, memlimit, filters);
        }) { ModuleName = "_lzma" };
        StreamDecompressor.AddMembers(t, DecompressArgs);
        t.SetMember("check", new PyProperty(new PyBuiltinFunction("check", (a, k) => PyInt.Get(((Decompressor)a[0]).CheckId)), null, null, null));
        return t;
    }
}
