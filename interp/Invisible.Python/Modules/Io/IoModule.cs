using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary><c>_io</c>, CPython's Modules/_io/_iomodule.c: the I/O class hierarchy and <c>open</c> (Lib's io.py
/// re-exports it). The types are made once for the process (immutable, shared by every interpreter).</summary>
public static class IoModule
{
    public const int DefaultBufferSize = 8192;
    /// <summary>locale.getpreferredencoding(False) in a UTF-8 locale (CPython 3.11 coerces the C locale to UTF-8).</summary>
    public const string PreferredEncoding = "UTF-8";

    private static readonly object Gate = new();
    private static PyType? s_iobase;
    private static PyType s_raw = null!, s_buffered = null!, s_text = null!;

    internal static void EnsureTypes()
    {
        if (s_iobase != null) return;
        lock (Gate)
        {
            if (s_iobase != null) return;
            // a heap type, as PyErr_NewException makes it: Lib's io.py sets its __module__
            IoCommon.UnsupportedOperation = new PyType("UnsupportedOperation", new[] { PyBaseException.OSErrorType, PyBaseException.ValueErrorType }, true) { ModuleName = "io" };
            var (iobase, raw, buffered, text) = IoCommon.MakeBases();
            s_raw = raw; s_buffered = buffered; s_text = text;
            FileIO.CreateType(raw);
            BytesIO.CreateType(buffered);
            StringIO.CreateType(text);
            Buffered.CreateTypes(buffered);
            TextIOWrapper.CreateType(text);
            BufferedRWPair.CreateType(buffered);
            IncrementalNewlineDecoder.CreateType();
            s_iobase = iobase;
        }
    }

    public static PyModule Create()
    {
        EnsureTypes();
        var m = new PyModule("_io");
        m.Add("DEFAULT_BUFFER_SIZE", PyInt.Get(DefaultBufferSize));
        m.Add("UnsupportedOperation", IoCommon.UnsupportedOperation);
        m.Add("BlockingIOError", PyBaseException.All["BlockingIOError"]);
        m.Add("_IOBase", s_iobase!);
        m.Add("_RawIOBase", s_raw);
        m.Add("_BufferedIOBase", s_buffered);
        m.Add("_TextIOBase", s_text);
        m.Add("FileIO", FileIO.TypeObj);
        m.Add("BytesIO", BytesIO.TypeObj);
        m.Add("StringIO", StringIO.TypeObj);
        m.Add("BufferedReader", Buffered.ReaderType);
        m.Add("BufferedWriter", Buffered.WriterType);
        m.Add("BufferedRandom", Buffered.RandomType);
        m.Add("BufferedRWPair", BufferedRWPair.TypeObj);
        m.Add("TextIOWrapper", TextIOWrapper.TypeObj);
        m.Add("IncrementalNewlineDecoder", IncrementalNewlineDecoder.TypeObj);
        m.AddFn("open", Open);
        m.AddFn("open_code", (a, k) =>
        {
            var path = Ops.Arg(a, k, 0, "path") ?? throw Ops.TypeError("open_code() missing required argument 'path' (pos 1)");
            if (path is not PyStr) throw Ops.TypeError($"open_code() argument 'path' must be str, not {path.Type.Name}");
            return Open(new PyObject[] { path, PyStr.Of("rb") }, null);
        });
        m.AddFn("text_encoding", (a, k) =>
        {
            var enc = Ops.Arg(a, k, 0, "encoding") ?? throw Ops.TypeError("text_encoding() missing required argument 'encoding' (pos 1)");
            return enc == PyNone.Instance ? PyStr.Of("locale") : enc;
        });
        return m;
    }

    /// <summary>io.open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None).</summary>
    public static PyObject Open(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        EnsureTypes();
        if (Ops.PosCount(a, k) > 8) throw Ops.TypeError($"open() takes at most 8 arguments ({Ops.PosCount(a, k)} given)");
        var file = Ops.Arg(a, k, 0, "file") ?? throw Ops.TypeError("open() missing required argument 'file' (pos 1)");
        var modeObj = Ops.Arg(a, k, 1, "mode");
        string mode = modeObj == null ? "r" : modeObj is PyStr ms ? ms.Value : throw Ops.TypeError($"open() argument 'mode' must be str, not {modeObj.Type.Name}");
        var bufObj = Ops.Arg(a, k, 2, "buffering");
        long buffering = bufObj == null ? -1 : bufObj is PyFloat ? throw Ops.TypeError("'float' object cannot be interpreted as an integer") : Ops.IndexValue(bufObj);
        PyObject encoding = Ops.Arg(a, k, 3, "encoding") ?? PyNone.Instance;
        PyObject errors = Ops.Arg(a, k, 4, "errors") ?? PyNone.Instance;
        PyObject newline = Ops.Arg(a, k, 5, "newline") ?? PyNone.Instance;
        var closefdObj = Ops.Arg(a, k, 6, "closefd");
        bool closefd = closefdObj == null || Ops.IsTrue(closefdObj);
        PyObject opener = Ops.Arg(a, k, 7, "opener") ?? PyNone.Instance;
        if (encoding != PyNone.Instance && encoding is not PyStr) throw Ops.TypeError($"open() argument 'encoding' must be str or None, not {encoding.Type.Name}");
        if (errors != PyNone.Instance && errors is not PyStr) throw Ops.TypeError($"open() argument 'errors' must be str or None, not {errors.Type.Name}");
        if (newline != PyNone.Instance && newline is not PyStr) throw Ops.TypeError($"open() argument 'newline' must be str or None, not {newline.Type.Name}");
        if (file is not PyStr && file is not PyBytes && file is not PyInt) file = Posix.Fs.FsPath(file);

        bool creating = false, reading = false, writing = false, appending = false, updating = false, text = false, binary = false;
        foreach (char c in mode)
        {
            int before = (creating ? 1 : 0) + (reading ? 2 : 0) + (writing ? 4 : 0) + (appending ? 8 : 0) + (updating ? 16 : 0) + (text ? 32 : 0) + (binary ? 64 : 0);
            switch (c)
            {
                case 'x': creating = true; break;
                case 'r': reading = true; break;
                case 'w': writing = true; break;
                case 'a': appending = true; break;
                case '+': updating = true; break;
                case 't': text = true; break;
                case 'b': binary = true; break;
                default: throw Ops.ValueError($"invalid mode: '{mode}'");
            }
            int after = (creating ? 1 : 0) + (reading ? 2 : 0) + (writing ? 4 : 0) + (appending ? 8 : 0) + (updating ? 16 : 0) + (text ? 32 : 0) + (binary ? 64 : 0);
            if (after == before) throw Ops.ValueError($"invalid mode: '{mode}'");
        }
        string rawMode = (creating ? "x" : "") + (reading ? "r" : "") + (writing ? "w" : "") + (appending ? "a" : "") + (updating ? "+" : "");
        if (text && binary) throw Ops.ValueError("can't have text and binary mode at once");
        if ((creating ? 1 : 0) + (reading ? 1 : 0) + (writing ? 1 : 0) + (appending ? 1 : 0) > 1)
            throw Ops.ValueError("must have exactly one of create/read/write/append mode");
        if (!(creating || reading || writing || appending)) throw Ops.ValueError("Must have exactly one of create/read/write/append mode and at most one plus");
        if (binary && encoding != PyNone.Instance) throw Ops.ValueError("binary mode doesn't take an encoding argument");
        if (binary && errors != PyNone.Instance) throw Ops.ValueError("binary mode doesn't take an errors argument");
        if (binary && newline != PyNone.Instance) throw Ops.ValueError("binary mode doesn't take a newline argument");
        if (binary && buffering == 1)
        {
            // CPython warns (RuntimeWarning) and uses the default buffer size.
            buffering = -1;
        }

        var raw = FileIO.TypeObj.Call(new[] { file, PyStr.Of(rawMode), PyBool.Of(closefd), opener }, null);
        var result = raw;
        try
        {
            bool lineBuffering = false;
            if (buffering == 1 || buffering < 0 && Ops.IsTrue(Ops.CallMethod(raw, "isatty")))
            {
                buffering = -1;
                lineBuffering = true;
            }
            if (buffering < 0) buffering = raw is FileIO f ? f.Blksize : DefaultBufferSize;
            if (buffering == 0)
            {
                if (binary) return result;
                throw Ops.ValueError("can't have unbuffered text I/O");
            }
            PyType bt = updating ? Buffered.RandomType : creating || writing || appending ? Buffered.WriterType : Buffered.ReaderType;
            var buffer = bt.Call(new[] { raw, PyInt.Get(buffering) }, null);
            result = buffer;
            if (binary) return result;
            var wrapper = TextIOWrapper.TypeObj.Call(new[] { buffer, encoding, errors, newline, PyBool.Of(lineBuffering) }, null);
            result = wrapper;
            wrapper.Dict!.SetItem("mode", PyStr.Of(mode));
            return result;
        }
        catch
        {
            try { Ops.CallMethod(result, "close"); } catch (PyException) { }
            throw;
        }
    }
}
