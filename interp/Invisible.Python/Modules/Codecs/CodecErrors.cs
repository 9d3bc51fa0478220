using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Codecs;

/// <summary>The per-interpreter codec registry (search functions, lookup cache, error handlers): CPython keeps it
/// in the interpreter state; here the <c>_codecs</c> module object of the interpreter owns it.</summary>
public sealed class CodecRegistry
{
    internal readonly List<PyObject> SearchFunctions = new();
    internal readonly Dictionary<string, PyObject> Cache = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, PyObject> ErrorHandlers = new(StringComparer.Ordinal);
    internal Vm.InterpreterState? Interp;

    /// <summary>The built-in handlers by name, so the codecs can take their fast paths when they are still registered.</summary>
    internal static readonly string[] BuiltinHandlerNames =
        { "strict", "ignore", "replace", "xmlcharrefreplace", "backslashreplace", "namereplace", "surrogateescape", "surrogatepass" };

    internal readonly Dictionary<string, PyObject> BuiltinHandlers = new(StringComparer.Ordinal);

    public CodecRegistry()
    {
        foreach (var n in BuiltinHandlerNames)
        {
            string name = n;
            var fn = new PyBuiltinFunction(name == "surrogateescape" || name == "surrogatepass" ? name : name + "_errors",
                (a, k) => CodecErrors.CallBuiltinHandler(name, a));
            BuiltinHandlers[name] = fn;
            ErrorHandlers[name] = fn;
        }
    }

    /// <summary>The registered handler, or LookupError with CPython's text.</summary>
    internal PyObject LookupError(string name) =>
        ErrorHandlers.TryGetValue(name, out var h) ? h : throw Ops.Exc(PyBaseException.LookupErrorType, $"unknown error handler name '{name}'");

    /// <summary>True when <paramref name="name"/> still means the built-in handler of that name.</summary>
    internal bool IsBuiltin(string name) =>
        ErrorHandlers.TryGetValue(name, out var h) && BuiltinHandlers.TryGetValue(name, out var b) && ReferenceEquals(h, b);
}

/// <summary>Error handling shared by the codecs: the built-in handlers' behaviour and calls into Python handlers.</summary>
internal static class CodecErrors
{
    /// <summary>The character's name for namereplace (unicodedata's database).</summary>
    internal static Func<int, string?>? NameOf { get; set; } = cp => Unicodedata.UnicodeDatabase.Instance.Name(cp);

    internal static PyException EncodeError(string encoding, PyObject obj, int start, int end, string reason) =>
        new(PyBaseException.Create(PyBaseException.UnicodeEncodeErrorType, new PyStr(encoding), obj, PyInt.Get(start), PyInt.Get(end), new PyStr(reason)));

    internal static PyException DecodeError(string encoding, PyObject obj, int start, int end, string reason) =>
        new(PyBaseException.Create(PyBaseException.UnicodeDecodeErrorType, new PyStr(encoding), obj, PyInt.Get(start), PyInt.Get(end), new PyStr(reason)));

    internal static string Backslash(int cp) =>
        cp <= 0xff ? $"\\x{cp:x2}" : cp <= 0xffff ? $"\\u{cp:x4}" : $"\\U{cp:x8}";

    internal static string NameReplace(int cp)
    {
        var n = NameOf?.Invoke(cp);
        return n != null ? "\\N{" + n + "}" : Backslash(cp);
    }

    /// <summary>Code points of a str; a lone surrogate is one code point, as in CPython's str.</summary>
    internal static int[] CodePoints(string s)
    {
        var r = new int[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) r[n++] = char.ConvertToUtf32(c, s[++i]);
            else r[n++] = c;
        }
        return n == r.Length ? r : r.AsSpan(0, n).ToArray();
    }

    internal static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else sb.Append(char.ConvertFromUtf32(cp));
    }

    /// <summary>The codec-facing result of a Python error handler: (replacement, new position).</summary>
    internal static (PyObject repl, int newPos) CallHandler(PyObject handler, PyBaseException exc, int length, bool decoding)
    {
        var r = Ops.Call1(handler, exc);
        if (r is not PyTuple t || t.Items.Length != 2 || t.Items[1] is not PyInt pos
            || !(t.Items[0] is PyStr || (!decoding && t.Items[0] is PyBytes)))
            throw Ops.TypeError(decoding ? "decoding error handler must return (str, int) tuple" : "encoding error handler must return (str/bytes, int) tuple");
        long p = pos.V;
        if (p < 0) p += length;
        if (p < 0 || p > length) throw Ops.IndexError($"position {pos.V} from error handler out of bounds");
        return (t.Items[0], (int)p);
    }

    /// <summary>The built-in handlers called as functions (codecs.lookup_error('replace')(exc) ...).</summary>
    internal static PyObject CallBuiltinHandler(string name, ReadOnlySpan<PyObject> a)
    {
        if (a.Length != 1) throw Ops.TypeError($"{name}_errors() takes exactly one argument ({a.Length} given)");
        var exc = a[0] as PyBaseException;
        if (name == "strict") throw exc != null ? new PyException(exc) : Ops.TypeError("codec must pass exception instance");
        if (exc == null || !exc.Type.IsSubtypeOf(PyBaseException.UnicodeErrorType))
            throw Ops.TypeError($"don't know how to handle {a[0].Type.Name} in error callback");
        bool enc = exc.Type.IsSubtypeOf(PyBaseException.UnicodeEncodeErrorType);
        bool dec = exc.Type.IsSubtypeOf(PyBaseException.UnicodeDecodeErrorType);
        var obj = Ops.GetAttr(exc, "object");
        int start = (int)Ops.IndexValue(Ops.GetAttr(exc, "start"));
        int end = (int)Ops.IndexValue(Ops.GetAttr(exc, "end"));
        PyObject Result(string s) => new PyTuple(new PyObject[] { new PyStr(s), PyInt.Get(end) });
        switch (name)
        {
            case "ignore": return Result("");
            case "replace":
                if (dec) return Result("\uFFFD");
                return Result(new string(enc ? '?' : '\uFFFD', Math.Max(0, end - start)));
            case "backslashreplace":
            {
                var sb = new StringBuilder();
                if (dec) { var b = Buffers.Read(obj); for (int i = start; i < end && i < b.Length; i++) sb.Append($"\\x{b[i]:x2}"); }
                else { var cps = CodePoints(((PyStr)obj).Value); for (int i = start; i < end && i < cps.Length; i++) sb.Append(Backslash(cps[i])); }
                return Result(sb.ToString());
            }
            case "xmlcharrefreplace":
            case "namereplace":
            {
                if (!enc) throw Ops.TypeError($"don't know how to handle {exc.Type.Name} in error callback");
                var sb = new StringBuilder();
                var cps = CodePoints(((PyStr)obj).Value);
                for (int i = start; i < end && i < cps.Length; i++) sb.Append(name == "namereplace" ? NameReplace(cps[i]) : $"&#{cps[i]};");
                return Result(sb.ToString());
            }
            case "surrogateescape":
            {
                if (dec)
                {
                    var b = Buffers.Read(obj);
                    var sb = new StringBuilder();
                    for (int i = start; i < end && i < b.Length; i++)
                    {
                        if (b[i] < 128) throw new PyException(exc);
                        sb.Append((char)(0xDC00 + b[i]));
                    }
                    return Result(sb.ToString());
                }
                if (enc)
                {
                    var cps = CodePoints(((PyStr)obj).Value);
                    var r = new byte[Math.Max(0, end - start)];
                    for (int i = start; i < end; i++)
                    {
                        if (cps[i] < 0xDC80 || cps[i] > 0xDCFF) throw new PyException(exc);
                        r[i - start] = (byte)(cps[i] - 0xDC00);
                    }
                    return new PyTuple(new PyObject[] { new PyBytes(r), PyInt.Get(end) });
                }
                throw Ops.TypeError($"don't know how to handle {exc.Type.Name} in error callback");
            }
            case "surrogatepass":
            {
                string encoding = Ops.Str(Ops.GetAttr(exc, "encoding")).ToLowerInvariant().Replace('_', '-');
                if (enc)
                {
                    var cps = CodePoints(((PyStr)obj).Value);
                    var ms = new MemoryStream();
                    for (int i = start; i < end; i++)
                    {
                        if (cps[i] < 0xD800 || cps[i] > 0xDFFF || !Utf.WriteSurrogate(encoding, cps[i], ms)) throw new PyException(exc);
                    }
                    return new PyTuple(new PyObject[] { new PyBytes(ms.ToArray()), PyInt.Get(end) });
                }
                if (dec)
                {
                    var b = Buffers.Read(obj);
                    if (Utf.ReadSurrogate(encoding, b, start, out int cp, out int len))
                        return new PyTuple(new PyObject[] { new PyStr(((char)cp).ToString()), PyInt.Get(start + len) });
                    throw new PyException(exc);
                }
                throw Ops.TypeError($"don't know how to handle {exc.Type.Name} in error callback");
            }
        }
        throw Ops.TypeError($"don't know how to handle {exc.Type.Name} in error callback");
    }
}

/// <summary>An encoder's view of the error machinery: writes a replacement for the code points [start, end).</summary>
internal ref struct EncodeErrorContext
{
    public CodecRegistry Registry;
    public string Errors;
    public string Encoding;
    public string Reason;
    public PyObject? Original; // the str, made on first use
    public string Source;
    public int[] CodePoints;

    /// <summary>Handles the unencodable run [start, end): writes the replacement through <paramref name="write"/>
    /// (which returns false for a code point the codec cannot take) and returns where encoding resumes.</summary>
    public int Handle(int start, int end, MemoryStream output, Func<int, MemoryStream, bool> write, Func<int, MemoryStream, bool>? surrogatePass)
    {
        Original ??= new PyStr(Source);
        if (Registry.IsBuiltin(Errors))
        {
            switch (Errors)
            {
                case "strict": break;
                case "ignore": return end;
                case "replace":
                    for (int i = start; i < end; i++) write('?', output);
                    return end;
                case "backslashreplace":
                case "xmlcharrefreplace":
                case "namereplace":
                    for (int i = start; i < end; i++)
                    {
                        string r = Errors == "backslashreplace" ? CodecErrors.Backslash(CodePoints[i])
                            : Errors == "namereplace" ? CodecErrors.NameReplace(CodePoints[i]) : $"&#{CodePoints[i]};";
                        foreach (char c in r) write(c, output);
                    }
                    return end;
                case "surrogateescape":
                {
                    bool ok = true;
                    for (int i = start; i < end; i++) if (CodePoints[i] < 0xDC80 || CodePoints[i] > 0xDCFF) { ok = false; break; }
                    if (!ok) break;
                    for (int i = start; i < end; i++) output.WriteByte((byte)(CodePoints[i] - 0xDC00));
                    return end;
                }
                case "surrogatepass":
                {
                    if (surrogatePass == null) break;
                    bool ok = true;
                    for (int i = start; i < end; i++) if (CodePoints[i] < 0xD800 || CodePoints[i] > 0xDFFF) { ok = false; break; }
                    if (!ok) break;
                    for (int i = start; i < end; i++) surrogatePass(CodePoints[i], output);
                    return end;
                }
            }
            throw CodecErrors.EncodeError(Encoding, Original, start, end, Reason);
        }
        var handler = Registry.LookupError(Errors);
        var exc = PyBaseException.Create(PyBaseException.UnicodeEncodeErrorType, new PyStr(Encoding), Original, PyInt.Get(start), PyInt.Get(end), new PyStr(Reason));
        var (repl, newPos) = CodecErrors.CallHandler(handler, exc, CodePoints.Length, decoding: false);
        if (repl is PyBytes b) output.Write(b.Span);
        else
            foreach (var cp in CodecErrors.CodePoints(((PyStr)repl).Value))
                if (!write(cp, output)) throw CodecErrors.EncodeError(Encoding, Original, start, end, Reason);
        return newPos;
    }
}

/// <summary>A decoder's view of the error machinery.</summary>
internal sealed class DecodeErrorContext
{
    public CodecRegistry Registry = null!;
    public string Errors = "strict";
    public string Encoding = "";
    private PyObject? _original;
    private readonly byte[] _data;

    public DecodeErrorContext(CodecRegistry registry, string errors, string encoding, byte[] data)
    { Registry = registry; Errors = errors; Encoding = encoding; _data = data; }

    private PyObject Original => _original ??= new PyBytes(_data);

    /// <summary>Handles the undecodable bytes [start, end): appends the replacement and returns where decoding resumes.</summary>
    public int Handle(int start, int end, string reason, StringBuilder output)
    {
        if (Registry.IsBuiltin(Errors))
        {
            switch (Errors)
            {
                case "strict": break;
                case "ignore": return end;
                case "replace": output.Append('\uFFFD'); return end;
                case "backslashreplace":
                    for (int i = start; i < end; i++) output.Append($"\\x{_data[i]:x2}");
                    return end;
                case "surrogateescape":
                {
                    bool ok = true;
                    for (int i = start; i < end; i++) if (_data[i] < 128) { ok = false; break; }
                    if (!ok) break;
                    for (int i = start; i < end; i++) output.Append((char)(0xDC00 + _data[i]));
                    return end;
                }
                case "surrogatepass":
                    if (Utf.ReadSurrogate(Encoding, _data, start, out int cp, out int len))
                    {
                        output.Append((char)cp);
                        return start + len;
                    }
                    break;
                case "xmlcharrefreplace":
                case "namereplace":
                    throw Ops.TypeError("don't know how to handle UnicodeDecodeError in error callback");
            }
            throw CodecErrors.DecodeError(Encoding, Original, start, end, reason);
        }
        var handler = Registry.LookupError(Errors);
        var exc = PyBaseException.Create(PyBaseException.UnicodeDecodeErrorType, new PyStr(Encoding), Original, PyInt.Get(start), PyInt.Get(end), new PyStr(reason));
        var (repl, newPos) = CodecErrors.CallHandler(handler, exc, _data.Length, decoding: true);
        output.Append(((PyStr)repl).Value);
        return newPos;
    }
}
