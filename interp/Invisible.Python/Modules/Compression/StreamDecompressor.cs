using System;
using System.IO;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Compression;

/// <summary>
/// The decompressor object logic CPython's <c>_bz2</c> and <c>_lzma</c> share (their <c>decompress()</c> with
/// <c>max_length</c>, <c>eof</c>, <c>unused_data</c>, <c>needs_input</c>): input the library did not take yet is kept
/// for the next call; output stops at <c>max_length</c>. A subclass runs one step of its library.
/// </summary>
internal abstract class StreamDecompressor : PyObject
{
    private readonly object _gate = new();
    private byte[] _pending = Array.Empty<byte>();
    public bool Eof;
    public bool NeedsInput = true;
    public byte[] UnusedData = Array.Empty<byte>();

    /// <summary>Runs the library over <paramref name="input"/> into <paramref name="output"/>: how much was read and
    /// written, and whether the stream ended. Throws the library's errors as Python exceptions.</summary>
    protected abstract (int Read, int Written, bool End) Step(ReadOnlySpan<byte> input, Span<byte> output);

    public byte[] Decompress(ReadOnlySpan<byte> data, long maxLength)
    {
        lock (_gate)
        {
            if (Eof) throw Ops.Exc(PyBaseException.All["EOFError"], "End of stream already reached");
            byte[] input;
            if (_pending.Length == 0) input = data.ToArray();
            else
            {
                input = new byte[_pending.Length + data.Length];
                _pending.CopyTo(input, 0);
                data.CopyTo(input.AsSpan(_pending.Length));
            }
            var output = new MemoryStream();
            var buf = new byte[maxLength >= 0 ? (int)Math.Min(Math.Max(maxLength, 1), 64 << 10) : 64 << 10];
            int pos = 0, stalls = 0;
            while (true)
            {
                int room = buf.Length;
                if (maxLength >= 0) room = (int)Math.Min(room, maxLength - output.Length);
                if (room <= 0) break;
                var (read, written, end) = Step(input.AsSpan(pos), buf.AsSpan(0, room));
                pos += read;
                output.Write(buf, 0, written);
                if (end) { Eof = true; break; }
                // no progress possible: all input taken and output not full
                if (written < room && pos >= input.Length) break;
                // a step may only report something (liblzma's NO_CHECK/GET_CHECK): stop when two in a row do nothing
                if (read == 0 && written == 0) { if (++stalls >= 2) break; }
                else stalls = 0;
            }
            var rest = input.AsSpan(pos);
            if (Eof)
            {
                NeedsInput = false;
                if (rest.Length > 0)
                {
                    var u = new byte[UnusedData.Length + rest.Length];
                    UnusedData.CopyTo(u, 0); rest.CopyTo(u.AsSpan(UnusedData.Length));
                    UnusedData = u;
                }
                _pending = Array.Empty<byte>();
            }
            else if (rest.Length == 0) { _pending = Array.Empty<byte>(); NeedsInput = true; }
            else { _pending = rest.ToArray(); NeedsInput = false; }
            GC.KeepAlive(this);
            return output.ToArray();
        }
    }

    /// <summary>Adds the attributes and decompress() to a decompressor type.</summary>
    internal static void AddMembers(PyType t, ArgParser decompressArgs)
    {
        static StreamDecompressor D(PyObject o) => (StreamDecompressor)o;
        t.AddMethod("decompress", (a, k) =>
        {
            var args = decompressArgs.Parse(a.Slice(1), k);
            var data = Buffers.Read(args[0]!);
            return new PyBytes(D(a[0]).Decompress(data, args.Ssize(1, -1)));
        });
        t.SetMember("eof", new PyProperty(new PyBuiltinFunction("eof", (a, k) => PyBool.Of(D(a[0]).Eof)), null, null, null));
        t.SetMember("needs_input", new PyProperty(new PyBuiltinFunction("needs_input", (a, k) => PyBool.Of(D(a[0]).NeedsInput)), null, null, null));
        t.SetMember("unused_data", new PyProperty(new PyBuiltinFunction("unused_data", (a, k) => new PyBytes(D(a[0]).UnusedData)), null, null, null));
        t.AddMethod("__reduce__", (a, k) => throw Ops.TypeError($"cannot pickle '{a[0].Type.Name}' object"));
    }
}
