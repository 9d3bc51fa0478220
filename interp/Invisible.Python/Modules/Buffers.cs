using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>An object that lends its memory as bytes (CPython's buffer protocol, the part the data modules need).</summary>
public interface IBufferExporter
{
    /// <summary>The exported bytes, valid until the object is next resized.</summary>
    Span<byte> BufferBytes { get; }

    /// <summary>True when the exporter refuses writes (bytes, a read-only memoryview).</summary>
    bool BufferReadOnly { get; }
}

/// <summary>Argument conversion for functions that take "a bytes-like object" (CPython's <c>y*</c> and <c>w*</c>
/// formats): bytes, bytearray and any <see cref="IBufferExporter"/> (array.array, memoryview).</summary>
public static class Buffers
{
    /// <summary>The bytes of a readable buffer, or null when <paramref name="o"/> does not export one.</summary>
    public static bool TryRead(PyObject o, out ReadOnlySpan<byte> bytes)
    {
        switch (o)
        {
            case PyBytes b: bytes = b.Span; return true;
            case IBufferExporter e: bytes = e.BufferBytes; return true;
            case PyMemoryView m: bytes = m.ToBytes(); return true; // a copy of what the view shows (it may be strided)
        }
        bytes = default;
        return false;
    }

    /// <summary>The bytes of a readable buffer; TypeError with CPython's text otherwise.</summary>
    public static ReadOnlySpan<byte> Read(PyObject o)
    {
        if (TryRead(o, out var bytes)) return bytes;
        throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");
    }

    /// <summary>The bytes of a writable buffer; TypeError with CPython's text otherwise.</summary>
    public static Span<byte> Write(PyObject o)
    {
        switch (o)
        {
            case PyByteArray ba: return ba.Buf.AsSpan(0, ba.Count);
            case IBufferExporter e when !e.BufferReadOnly: return e.BufferBytes;
        }
        throw Ops.TypeError($"argument must be read-write bytes-like object, not {o.Type.Name}");
    }

    /// <summary>A copy of a readable buffer's bytes.</summary>
    public static byte[] ToArray(PyObject o) => Read(o).ToArray();
}
