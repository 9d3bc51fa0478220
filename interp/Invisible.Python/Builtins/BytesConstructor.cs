using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>bytes(...) and bytearray.__init__ (CPython's bytes_new and bytearray___init__, Objects/bytesobject.c and
/// bytearrayobject.c): a str with an encoding, a count of zero bytes (any __index__), a buffer, an iterable of ints in
/// range(0, 256), bytes' __bytes__; with CPython's errors in CPython's order. bytearray's __init__ appends as it
/// iterates (a generator sees the bytearray grow) and its new makes an empty one (a subclass's __init__ decides).</summary>
public static partial class TypeMethods
{
    private static readonly ArgParser BytesNewArgs = new("bytes", "source=<unrepresentable>, encoding=<unrepresentable>, errors=<unrepresentable>");
    private static readonly ArgParser ByteArrayInitArgs = new("bytearray", "source=<unrepresentable>, encoding=<unrepresentable>, errors=<unrepresentable>");

    /// <summary>The three arguments' common checks: null source when absent; encoding and errors as str.</summary>
    private static PyObject? BytesSourceArgs(ArgParser parser, ReadOnlySpan<PyObject> a, PyStr[]? k, out string? encoding, out string? errors)
    {
        var args = parser.Parse(a, k);
        encoding = args.Has(1) ? args.Str(1) : null;
        errors = args.Has(2) ? args.Str(2) : null;
        var x = args[0];
        if (x == null)
        {
            if (encoding != null || errors != null)
                throw Ops.TypeError(encoding != null ? "encoding without a string argument" : "errors without a string argument");
            return null;
        }
        if (encoding != null)
        {
            if (x is not PyStr) throw Ops.TypeError("encoding without a string argument");
        }
        else if (errors != null)
            throw Ops.TypeError(x is PyStr ? "string argument without an encoding" : "errors without a string argument");
        return x;
    }

    /// <summary>bytes.__new__(cls, source, encoding, errors).</summary>
    public static PyObject NewBytes(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var x = BytesSourceArgs(BytesNewArgs, a, k, out var encoding, out var errors);
        PyObject made;
        if (x == null) made = new PyBytes(Array.Empty<byte>());
        else if (x.GetType() == typeof(PyBytes) && x.Type == PyBytes.TypeObj) made = x; // bytes(b) is b
        else if (x is Modules.PyWeakProxy && FromBytesMethod(a, k) is { } proxied) made = new PyBytes(proxied);
        else if (encoding != null) made = new PyBytes(Encode(((PyStr)x).Value, encoding, errors ?? "strict"));
        else if (x.Type.Lookup(PyStr.Intern("__bytes__")) is { } method)
        {
            made = Ops.CallArgs(method, x);
            if (made is not PyBytes || made is PyByteArray) throw Ops.TypeError($"__bytes__ returned non-bytes (type {made.Type.Name})");
        }
        else if (x is PyStr) throw Ops.TypeError("string argument without an encoding");
        else made = new PyBytes(BytesFromObject(x, "bytes") ?? throw Ops.TypeError($"cannot convert '{x.Type.Name}' object to bytes"));
        if (cls == PyBytes.TypeObj) return made;
        return new PyBytes(((PyBytes)made).Span.ToArray(), cls);
    }

    /// <summary>The zero bytes of a count (CPython's PyNumber_AsSsize_t with OverflowError), or null when the object
    /// has no __index__ or its __index__ raises TypeError (then it is read as a buffer or an iterable).</summary>
    private static byte[]? BytesFromCount(PyObject x, bool bytearray)
    {
        if (x is PyBytes || (x is not PyInt && x.Type.Lookup(PyStr.S___index__) == null)) return null;
        PyInt n;
        try { n = (PyInt)Ops.Index(x); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.TypeErrorType)) { return null; }
        if (n.IsBig) throw Ops.OverflowError("cannot fit 'int' into an index-sized integer");
        if (n.V < 0) throw Ops.ValueError("negative count");
        if (n.V > Array.MaxLength)
        {
            if (!bytearray && n.V > long.MaxValue - 40) throw Ops.OverflowError("byte string is too large");
            throw Ops.Exc(PyBaseException.MemoryErrorType, "");
        }
        return new byte[n.V];
    }

    /// <summary>A count, a buffer or an iterable of ints; null when the object is none of them (the caller's
    /// "cannot convert" TypeError).</summary>
    private static byte[]? BytesFromObject(PyObject x, string typeName)
    {
        if (BytesFromCount(x, false) is { } zeros) return zeros;
        if (Modules.Buffers.TryRead(x, out var buffer)) return buffer.ToArray();
        var r = new PyByteArray(Array.Empty<byte>());
        if (x is PyList list)
        {
            // the list may change while its items' __index__ run: read its size each step (CPython's
            // _PyBytes_FromList)
            for (int i = 0; i < list.Count; i++) r.Append(BytesItem(list.Items[i]));
            return r.Span.ToArray();
        }
        if (x is PyTuple tuple)
        {
            var out1 = new byte[tuple.Items.Length];
            for (int i = 0; i < out1.Length; i++) out1[i] = BytesItem(tuple.Items[i]);
            return out1;
        }
        PyObject it;
        try { it = Ops.GetIter(x); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.TypeErrorType) && x is not PyStr) { return null; }
        PyObject? item;
        while ((item = Ops.Next(it)) != null) r.Append(BytesItem(item));
        _ = typeName;
        return r.Span.ToArray();
    }

    private static byte BytesItem(PyObject o)
    {
        long v = Ops.IndexValueClamped(o);
        if (v < 0 || v > 255) throw Ops.ValueError("bytes must be in range(0, 256)");
        return (byte)v;
    }

    /// <summary>bytearray.__init__(self, source, encoding, errors): empties the bytearray, then fills it.</summary>
    private static PyObject ByteArrayInit(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var self = a[0] as PyByteArray ?? throw Ops.TypeError($"descriptor '__init__' requires a 'bytearray' object but received a '{a[0].Type.Name}'");
        var x = BytesSourceArgs(ByteArrayInitArgs, a.Slice(1), k, out var encoding, out var errors);
        if (self.Count != 0) self.Resize(0);
        if (x == null) return PyNone.Instance;
        if (x is PyStr s)
        {
            if (encoding == null) throw Ops.TypeError("string argument without an encoding");
            var enc = Encode(s.Value, encoding, errors ?? "strict");
            self.Resize(enc.Length);
            enc.CopyTo(self.Buf, 0);
            return PyNone.Instance;
        }
        if (BytesFromCount(x, true) is { } zeros) { self.Resize(zeros.Length); return PyNone.Instance; }
        if (Modules.Buffers.TryRead(x, out var buffer))
        {
            var copy = buffer.ToArray(); // x may be self
            self.Resize(copy.Length);
            copy.CopyTo(self.Buf, 0);
            return PyNone.Instance;
        }
        PyObject it;
        try { it = Ops.GetIter(x); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.TypeErrorType))
        {
            throw Ops.TypeError($"cannot convert '{x.Type.Name}' object to bytearray");
        }
        PyObject? item;
        while ((item = Ops.Next(it)) != null)
        {
            long v = Ops.IndexValueClamped(item);
            if (v < 0 || v > 255) throw Ops.ValueError("byte must be in range(0, 256)");
            self.Append((byte)v);
        }
        return PyNone.Instance;
    }
}
