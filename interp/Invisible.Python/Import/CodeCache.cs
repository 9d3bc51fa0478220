using System;
using System.Buffers.Binary;
using System.IO;
using Invisible.Python.Compiler;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// The compiled-code cache (CPython's <c>__pycache__</c>, ours): a module's code object, compiled once, is kept in
/// <c>sys.pycache_prefix</c> (by default <c>$XDG_CACHE_HOME/invisible/pycache</c> or <c>~/.cache/invisible/pycache</c>,
/// never next to the source: /usr/lib stays untouched) under the source's absolute path, as
/// <c>importlib.util.cache_from_source</c> names it with that prefix: <c>PREFIX/usr/lib/python3.11/json/__init__.TAG.pyc</c>,
/// TAG being <c>sys.implementation.cache_tag</c> (which carries our code format's version). The file is CPython's
/// .pyc layout (magic, flags, source mtime and size; or for our embedded modules flags=3 and a hash of the source)
/// followed by <c>marshal.dumps(code)</c> of our code object, so <c>importlib.machinery.SourceFileLoader</c> reads and
/// writes the same files. A file that is stale, corrupt or from another compiler version is ignored and rewritten;
/// writing is skipped under <c>-B</c> / PYTHONDONTWRITEBYTECODE (<c>sys.dont_write_bytecode</c>) and when it fails.
/// </summary>
public static class CodeCache
{
    /// <summary>importlib's MAGIC_NUMBER for 3.11 (3495): the files are .pyc-shaped.</summary>
    private static readonly byte[] Magic = { 0xa7, 0x0d, 0x0d, 0x0a };
    private const int HeaderSize = 16;

    /// <summary>The default <c>sys.pycache_prefix</c>, or null when there is no home to put it in.</summary>
    public static string? DefaultPrefix()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && xdg.StartsWith('/')) return Path.Combine(xdg, "invisible", "pycache");
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home) || !home.StartsWith('/')) return null;
        return Path.Combine(home, ".cache", "invisible", "pycache");
    }

    /// <summary>Where the cached code of <paramref name="source"/> (an absolute path, or one of our embedded files) is
    /// kept, or null when there is no cache (no prefix).</summary>
    public static string? CachePath(InterpreterState interp, string source)
    {
        var d = interp.Sys.Module.ModDict;
        if (d.GetOrNull("pycache_prefix") is not PyStr prefix || prefix.Value.Length == 0) return null;
        string tag = d.GetOrNull("implementation") is PyObject impl && Ops.GetAttrOrNull(impl, PyStr.Intern("cache_tag")) is PyStr t ? t.Value : "";
        if (tag.Length == 0) return null;
        if (!source.StartsWith('/') && !EmbeddedLib.IsOurs(source)) source = Path.GetFullPath(source);
        int slash = source.LastIndexOf('/');
        string dir = slash < 0 ? "" : source.Substring(0, slash);
        string file = source.Substring(slash + 1);
        int dot = file.LastIndexOf('.');
        string stem = dot > 0 ? file.Substring(0, dot) : file;
        return prefix.Value.TrimEnd('/') + "/" + dir.TrimStart('/') + "/" + stem + "." + tag + ".pyc";
    }

    private static bool DontWrite(InterpreterState interp) =>
        interp.Sys.Module.ModDict.GetOrNull("dont_write_bytecode") is PyObject v && Ops.IsTrue(v);

    /// <summary>The code of source file <paramref name="path"/>: from the cache when it is current, else compiled
    /// (and the cache written). <paramref name="embeddedSource"/> is the text of one of our embedded modules (null for
    /// a file on disk). A SyntaxError propagates.</summary>
    public static CodeObject Get(InterpreterState interp, string path, string? embeddedSource)
    {
        string? cache = CachePath(interp, path);
        long mtime = 0, size = 0;
        ulong hash = 0;
        if (embeddedSource != null) hash = Fnv1a(embeddedSource);
        else
        {
            var info = new FileInfo(path);
            mtime = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds();
            size = info.Length;
        }
        if (cache != null && TryRead(cache, embeddedSource != null, mtime, size, hash) is { } cached)
        {
            interp.Imports.CacheHits++;
            if (embeddedSource != null) interp.RegisterSource(path, embeddedSource);
            return cached;
        }
        string src = embeddedSource ?? SourceText.Read(path);
        interp.RegisterSource(path, src);
        var code = PythonEngine.Compile(src, path, false);
        interp.Imports.CacheMisses++;
        if (cache != null && !DontWrite(interp)) Write(cache, code, embeddedSource != null, mtime, size, hash);
        return code;
    }

    private static CodeObject? TryRead(string cache, bool hashBased, long mtime, long size, ulong hash)
    {
        byte[] data;
        try { data = File.ReadAllBytes(cache); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (data.Length < HeaderSize || !data.AsSpan(0, 4).SequenceEqual(Magic)) return null;
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        if (hashBased)
        {
            if (flags != 3 || BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(8)) != hash) return null;
        }
        else
        {
            if (flags != 0) return null;
            if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8)) != (uint)mtime) return null;
            if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(12)) != (uint)size) return null;
        }
        try
        {
            return MarshalModule.Loads(data.AsSpan(HeaderSize).ToArray(), out _) is PyCodeWrapper w ? w.Code : null;
        }
        catch (PyException) { return null; }   // corrupt, truncated or another compiler version: compile again
    }

    private static void Write(string cache, CodeObject code, bool hashBased, long mtime, long size, ulong hash)
    {
        byte[] body;
        try { body = MarshalModule.Dumps(PyCodeWrapper.Of(code)); }
        catch (PyException) { return; }
        var data = new byte[HeaderSize + body.Length];
        Magic.CopyTo(data, 0);
        if (hashBased)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 3);
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), hash);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), (uint)mtime);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(12), (uint)size);
        }
        body.CopyTo(data, HeaderSize);
        // atomically (CPython's _write_atomic): a reader in another process never sees half a file
        string tmp = cache + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            File.WriteAllBytes(tmp, data);
            File.Move(tmp, cache, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            try { File.Delete(tmp); } catch (Exception) { }
        }
    }

    /// <summary>FNV-1a over the UTF-16 text: the key of an embedded module's cached code.</summary>
    private static ulong Fnv1a(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h ^ (ulong)s.Length;
    }
}

/// <summary>Reading a Python source file as CPython's tokenizer does: UTF-8 (a BOM is skipped), or the encoding
/// named by a PEP 263 coding cookie in the first two lines.</summary>
public static class SourceText
{
    public static string Read(string path) => Decode(File.ReadAllBytes(path));

    public static string Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) data = data.Slice(3);
        string? enc = CodingCookie(data);
        if (enc != null && enc is not ("utf-8" or "utf8" or "utf_8" or "utf-8-sig"))
        {
            if (enc is "latin-1" or "latin1" or "iso-8859-1" or "iso8859-1" or "l1") return System.Text.Encoding.Latin1.GetString(data);
            // other encodings (cp1251, iso8859-7, ...) are the Python codecs of Lib/encodings, as CPython's tokenizer uses
            if (Vm.ThreadState.CurrentOrNull is { } ts)
            {
                try
                {
                    var codecs = ts.Interp.Imports.ImportModule("codecs");
                    if (Ops.CallMethod(codecs, "decode", new PyBytes(data.ToArray()), PyStr.Of(enc)) is PyStr ps) return ps.Value;
                }
                catch (PyException) { } // an unknown encoding or bad data: read as UTF-8, as before
            }
        }
        return System.Text.Encoding.UTF8.GetString(data);
    }

    private static string? CodingCookie(ReadOnlySpan<byte> data)
    {
        int start = 0;
        for (int line = 0; line < 2 && start < data.Length; line++)
        {
            int end = data.Slice(start).IndexOf((byte)'\n');
            var l = end < 0 ? data.Slice(start) : data.Slice(start, end);
            var text = System.Text.Encoding.Latin1.GetString(l);
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('#'))
            {
                int i = text.IndexOf("coding", StringComparison.Ordinal);
                if (i >= 0 && i + 6 < text.Length && (text[i + 6] == ':' || text[i + 6] == '='))
                {
                    int j = i + 7;
                    while (j < text.Length && (text[j] == ' ' || text[j] == '\t')) j++;
                    int k = j;
                    while (k < text.Length && (char.IsLetterOrDigit(text[k]) || text[k] is '-' or '_' or '.')) k++;
                    if (k > j) return text.Substring(j, k - j).ToLowerInvariant().Replace('_', '-');
                }
            }
            else if (trimmed.Length != 0) return null;
            if (end < 0) break;
            start += end + 1;
        }
        return null;
    }
}
