using System;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>
/// Base of every <c>_io</c> object written here (CPython's Modules/_io/iobase.c): its type (a Python subclass's
/// instances are these objects too, made by the solid base's constructor), the instance dict a subclass gets, and
/// the closed flag of <c>_IOBase</c>. The generic <c>_IOBase</c>/<c>_RawIOBase</c> methods call the object's
/// methods by name, as CPython's do, so a Python subclass that defines only <c>readinto</c> or <c>readline</c> works.
/// </summary>
public class IoObject : PyObject
{
    private readonly PyType _type;
    private PyDict? _dict;
    /// <summary>_IOBase's own closed flag (the concrete classes keep their own state).</summary>
    internal bool IoBaseClosed;

    public IoObject(PyType type) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        var line = Ops.CallMethod(this, "readline");
        return Ops.Len(line) == 0 ? null : line;
    }
}

internal static class IoCommon
{
    public static PyType UnsupportedOperation = null!;

    public static PyException Unsupported(string msg) => new(PyBaseException.Create(UnsupportedOperation, msg));
    public static PyException ClosedFile() => Ops.ValueError("I/O operation on closed file.");

    public static bool IsClosed(PyObject self)
    {
        if (self is IoObject io && self.Type.IsHeap == false) return Ops.IsTrue(Ops.GetAttr(self, "closed"));
        return Ops.IsTrue(Ops.GetAttr(self, "closed"));
    }

    public static void CheckClosed(PyObject self)
    {
        if (IsClosed(self)) throw ClosedFile();
    }

    /// <summary>A size argument: None or an int (-1 = everything), as CPython's _Py_convert_optional_to_ssize_t.</summary>
    public static long Size(ReadOnlySpan<PyObject> a, PyStr[]? k, int index = 1, string name = "size")
    {
        var v = Ops.Arg(a, k, index, name);
        if (v == null || v == PyNone.Instance) return -1;
        if (v is PyFloat || v.Type.Lookup(PyStr.S___index__) == null && v is not PyInt)
            throw Ops.TypeError($"argument should be integer or None, not '{v.Type.Name}'");
        return Ops.IndexValue(v);
    }

    /// <summary>The bytes of a bytes-like argument.</summary>
    public static ReadOnlySpan<byte> Bytes(PyObject o)
    {
        if (o is PyBytes b) return b.Span;
        // pickle's framer writes the memoryview of BytesIO.getbuffer
        if (o is PyMemoryView mv) return mv.ToBytes();
        throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");
    }

    public static PyType MakeType(string name, PyType baseType, NewFn? newFn)
    {
        var t = new PyType(name, baseType, newFn) { ModuleName = "_io" };
        return t;
    }

    public static PyObject None => PyNone.Instance;

    /// <summary>Creates _IOBase, _RawIOBase, _BufferedIOBase and _TextIOBase with CPython's generic methods.</summary>
    public static (PyType iobase, PyType raw, PyType buffered, PyType text) MakeBases()
    {
        var iobase = MakeType("_IOBase", PyType.ObjectType, (cls, a, k) => new IoObject(cls));
        iobase.AddMethod("seek", (a, k) => throw Unsupported("seek"));
        iobase.AddMethod("tell", (a, k) => Ops.CallMethod(a[0], "seek", PyInt.Zero, PyInt.Get(1)));
        iobase.AddMethod("truncate", (a, k) => throw Unsupported("truncate"));
        iobase.AddMethod("flush", (a, k) => { CheckClosed(a[0]); return None; });
        iobase.AddMethod("close", (a, k) =>
        {
            var self = a[0];
            if (self is IoObject io && io.IoBaseClosed) return None;
            try { Ops.CallMethod(self, "flush"); }
            finally { if (self is IoObject io2) io2.IoBaseClosed = true; }
            return None;
        });
        iobase.SetMember("closed", Prop("closed", a => PyBool.Of(a is IoObject io && io.IoBaseClosed)));
        iobase.AddMethod("seekable", (a, k) => PyBool.False);
        iobase.AddMethod("readable", (a, k) => PyBool.False);
        iobase.AddMethod("writable", (a, k) => PyBool.False);
        iobase.AddMethod("_checkClosed", (a, k) => { CheckClosed(a[0]); return None; });
        iobase.AddMethod("_checkSeekable", (a, k) => { if (!Ops.IsTrue(Ops.CallMethod(a[0], "seekable"))) throw Unsupported("File or stream is not seekable."); return None; });
        iobase.AddMethod("_checkReadable", (a, k) => { if (!Ops.IsTrue(Ops.CallMethod(a[0], "readable"))) throw Unsupported("File or stream is not readable."); return None; });
        iobase.AddMethod("_checkWritable", (a, k) => { if (!Ops.IsTrue(Ops.CallMethod(a[0], "writable"))) throw Unsupported("File or stream is not writable."); return None; });
        iobase.AddMethod("fileno", (a, k) => throw Unsupported("fileno"));
        iobase.AddMethod("isatty", (a, k) => { CheckClosed(a[0]); return PyBool.False; });
        iobase.AddMethod("__enter__", (a, k) => { CheckClosed(a[0]); return a[0]; });
        iobase.AddMethod("__exit__", (a, k) => { Ops.CallMethod(a[0], "close"); return None; });
        iobase.AddMethod("__iter__", (a, k) => { CheckClosed(a[0]); return a[0]; });
        iobase.AddMethod("__next__", (a, k) =>
        {
            var line = Ops.CallMethod(a[0], "readline");
            if (Ops.Len(line) == 0) throw Ops.StopIteration();
            return line;
        });
        iobase.AddMethod("readline", (a, k) => GenericReadline(a[0], Size(a, k)));
        iobase.AddMethod("readlines", (a, k) =>
        {
            long hint = Size(a, k, 1, "hint");
            var l = new PyList();
            long total = 0;
            var it = Ops.GetIter(a[0]);
            while (Ops.Next(it) is PyObject line)
            {
                l.Append(line);
                total += Ops.Len(line);
                if (hint > 0 && total >= hint) break;
            }
            return l;
        });
        iobase.AddMethod("writelines", (a, k) =>
        {
            CheckClosed(a[0]);
            var it = Ops.GetIter(a[1]);
            while (Ops.Next(it) is PyObject line) Ops.CallMethod(a[0], "write", line);
            return None;
        });

        var raw = MakeType("_RawIOBase", iobase, null);
        raw.AddMethod("read", (a, k) =>
        {
            long n = Size(a, k);
            if (n < 0) return Ops.CallMethod(a[0], "readall");
            var b = new PyByteArray(new byte[n]);
            var got = Ops.CallMethod(a[0], "readinto", b);
            if (got == PyNone.Instance) return None;
            long m = Ops.IndexValue(got);
            if (m < 0 || m > n) throw Ops.ValueError($"readinto returned {m} outside buffer size {n}");
            return new PyBytes(b.Span.Slice(0, (int)m).ToArray());
        });
        raw.AddMethod("readall", (a, k) =>
        {
            var all = new System.IO.MemoryStream();
            while (true)
            {
                var chunk = Ops.CallMethod(a[0], "read", PyInt.Get(IoModule.DefaultBufferSize));
                if (chunk == PyNone.Instance) { if (all.Length == 0) return None; break; }
                var span = Bytes(chunk);
                if (span.Length == 0) break;
                all.Write(span);
            }
            return new PyBytes(all.ToArray());
        });
        raw.AddMethod("readinto", (a, k) => throw Ops.NotImplementedError("readinto"));
        raw.AddMethod("write", (a, k) => throw Ops.NotImplementedError("write"));

        var buffered = MakeType("_BufferedIOBase", iobase, null);
        buffered.AddMethod("detach", (a, k) => throw Unsupported("detach"));
        buffered.AddMethod("read", (a, k) => throw Unsupported("read"));
        buffered.AddMethod("read1", (a, k) => throw Unsupported("read1"));
        buffered.AddMethod("write", (a, k) => throw Unsupported("write"));
        NativeFn readinto = (a, k) =>
        {
            if (a[1] is not PyByteArray target) throw Ops.TypeError($"readinto() argument must be read-write bytes-like object, not {a[1].Type.Name}");
            var data = Bytes(Ops.CallMethod(a[0], "read", PyInt.Get(target.Count)));
            data.CopyTo(target.Buf);
            return PyInt.Get(data.Length);
        };
        buffered.AddMethod("readinto", readinto);
        buffered.AddMethod("readinto1", readinto);

        var text = MakeType("_TextIOBase", iobase, null);
        text.AddMethod("detach", (a, k) => throw Unsupported("detach"));
        text.AddMethod("read", (a, k) => throw Unsupported("read"));
        text.AddMethod("readline", (a, k) => throw Unsupported("readline"));
        text.AddMethod("write", (a, k) => throw Unsupported("write"));
        text.SetMember("encoding", Prop("encoding", _ => None));
        text.SetMember("newlines", Prop("newlines", _ => None));
        text.SetMember("errors", Prop("errors", _ => None));
        return (iobase, raw, buffered, text);
    }

    public static PyProperty Prop(string name, Func<PyObject, PyObject> get)
        => new(new PyBuiltinFunction(name, (a, k) => get(a[0])), null, null, null);

    public static PyProperty Prop(string name, Func<PyObject, PyObject> get, Action<PyObject, PyObject> set)
        => new(new PyBuiltinFunction(name, (a, k) => get(a[0])), new PyBuiltinFunction(name, (a, k) => { set(a[0], a[1]); return None; }), null, null);

    /// <summary>_IOBase.readline: peek() when the object has it, else one byte at a time.</summary>
    private static PyObject GenericReadline(PyObject self, long limit)
    {
        var res = new System.IO.MemoryStream();
        var peek = Ops.GetAttrOrNull(self, PyStr.Intern("peek"));
        while (limit < 0 || res.Length < limit)
        {
            long nreadahead = 1;
            if (peek != null)
            {
                var ahead = Ops.Call1(peek, PyInt.One);
                var span = Bytes(ahead);
                if (span.Length == 0) break;
                int nl = span.IndexOf((byte)'\n');
                nreadahead = nl >= 0 ? nl + 1 : span.Length;
                if (limit >= 0) nreadahead = Math.Min(nreadahead, limit - res.Length);
            }
            var b = Ops.CallMethod(self, "read", PyInt.Get(nreadahead));
            if (b == PyNone.Instance) break;
            var bs = Bytes(b);
            if (bs.Length == 0) break;
            res.Write(bs);
            if (bs[^1] == '\n') break;
        }
        return new PyBytes(res.ToArray());
    }
}
