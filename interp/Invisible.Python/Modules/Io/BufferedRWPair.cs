using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.BufferedRWPair (CPython's Modules/_io/bufferedio.c): a BufferedReader over one raw stream and a
/// BufferedWriter over another, seen as one buffered object (a pipe pair, a socket's two halves). Every call forwards
/// to one of the two by name, as CPython's <c>_forward_call</c>.</summary>
public sealed class BufferedRWPair : IoObject
{
    public static PyType TypeObj = null!;
    private PyObject? _reader, _writer;

    public BufferedRWPair(PyType t) : base(t) { }

    private static BufferedRWPair P(PyObject o) => o as BufferedRWPair ?? throw Ops.TypeError($"descriptor requires a '_io.BufferedRWPair' object but received '{o.Type.Name}'");

    private PyObject Reader => _reader ?? throw Ops.ValueError("I/O operation on uninitialized object");
    private PyObject Writer => _writer ?? throw Ops.ValueError("I/O operation on uninitialized object");

    private static readonly ArgParser InitArgs = new("BufferedRWPair", "reader, writer, buffer_size=8192, /");

    private void Init(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var args = InitArgs.Parse(a.Slice(1), k);
        var reader = args[0]!;
        var writer = args[1]!;
        var size = args[2] ?? PyInt.Get(IoModule.DefaultBufferSize);
        if (!Ops.IsTrue(Ops.CallMethod(reader, "readable"))) throw IoCommon.Unsupported("File or stream is not readable.");
        if (!Ops.IsTrue(Ops.CallMethod(writer, "writable"))) throw IoCommon.Unsupported("File or stream is not writable.");
        _reader = Buffered.ReaderType.Call(new[] { reader, size }, null);
        _writer = Buffered.WriterType.Call(new[] { writer, size }, null);
    }

    /// <summary>Forward method <paramref name="name"/> with the caller's arguments (after self) to <paramref name="target"/>.</summary>
    private static PyObject Forward(PyObject target, string name, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var m = Ops.GetAttr(target, PyStr.Intern(name));
        return Ops.Call(m, a.Slice(1), k);
    }

    internal static void CreateType(PyType bufferedBase)
    {
        var t = IoCommon.MakeType("BufferedRWPair", bufferedBase, (cls, a, k) => new BufferedRWPair(cls));
        TypeObj = t;
        t.AddMethod("__init__", (a, k) => { P(a[0]).Init(a, k); return PyNone.Instance; });
        foreach (var name in new[] { "read", "peek", "read1", "readinto", "readinto1", "readable" })
        {
            string n = name;
            t.AddMethod(n, (a, k) => Forward(P(a[0]).Reader, n, a, k));
        }
        foreach (var name in new[] { "write", "flush", "writable" })
        {
            string n = name;
            t.AddMethod(n, (a, k) => Forward(P(a[0]).Writer, n, a, k));
        }
        t.AddMethod("close", (a, k) =>
        {
            var p = P(a[0]);
            PyException? first = null;
            try { Ops.CallMethod(p.Writer, "close"); }
            catch (PyException e) { first = e; }
            try { Ops.CallMethod(p.Reader, "close"); }
            catch (PyException e) { if (first == null) throw; e.Value.Context = first.Value; throw; }
            if (first != null) throw first;
            return PyNone.Instance;
        });
        t.AddMethod("isatty", (a, k) =>
        {
            var p = P(a[0]);
            if (Ops.IsTrue(Ops.CallMethod(p.Writer, "isatty"))) return PyBool.True;
            return Ops.CallMethod(p.Reader, "isatty");
        });
        t.AddMethod("detach", (a, k) => throw IoCommon.Unsupported("detach"));
        t.SetMember("closed", IoCommon.Prop("closed", o =>
        {
            var p = P(o);
            if (p._writer == null) throw Ops.RuntimeError("the BufferedRWPair object is being garbage-collected");
            return Ops.GetAttr(p._writer, "closed");
        }));
    }
}
