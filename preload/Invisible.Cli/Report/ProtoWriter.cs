using System;
using System.IO;
using System.Text;

namespace Invisible.Cli.Report;

/// <summary>The protobuf wire format, as much as profile.proto needs: varints (wire type 0), length-delimited
/// fields (wire type 2: strings, bytes, nested messages, packed repeated integers).</summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream _out = new();

    public byte[] ToArray() => _out.ToArray();

    private void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _out.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _out.WriteByte((byte)v);
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    /// <summary>An int64/uint64 field; zero is the default and is left out, as protobuf encoders do.</summary>
    public void Int(int field, long value)
    {
        if (value == 0) return;
        Tag(field, 0);
        Varint((ulong)value);
    }

    public void Bool(int field, bool value)
    {
        if (!value) return;
        Tag(field, 0);
        Varint(1);
    }

    public void Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, 2);
        Varint((ulong)bytes.Length);
        _out.Write(bytes);
    }

    /// <summary>A string field written even when empty (string_table[0] must be "").</summary>
    public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));

    public void Message(int field, ProtoWriter nested) => Bytes(field, nested.ToArray());

    public void Packed(int field, ReadOnlySpan<long> values)
    {
        var inner = new ProtoWriter();
        foreach (long v in values) inner.Varint((ulong)v);
        Bytes(field, inner.ToArray());
    }
}
