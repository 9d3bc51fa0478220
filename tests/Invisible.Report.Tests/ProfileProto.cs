using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Invisible.Report.Tests;

/// <summary>Just enough of a profile.proto reader to check what <c>--format pprof</c> wrote, independently of
/// the writer: samples as (function names leaf first with lines, values), the string table, mappings.</summary>
public sealed class ProfileProto
{
    public readonly List<string> Strings = new();
    public readonly List<(long Type, long Unit)> SampleTypes = new();
    public readonly List<(List<ulong> Locations, List<long> Values)> Samples = new();
    public readonly Dictionary<ulong, List<(ulong Function, long Line)>> Locations = new();
    public readonly Dictionary<ulong, ulong> LocationMapping = new();
    public readonly Dictionary<ulong, (long Name, long File)> Functions = new();
    public readonly List<(ulong Id, long File, long BuildId)> Mappings = new();

    public static ProfileProto Read(byte[] gzipped)
    {
        using var z = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
        using var m = new MemoryStream();
        z.CopyTo(m);
        var p = new ProfileProto();
        foreach (var (field, value, bytes) in Fields(m.ToArray()))
        {
            switch (field)
            {
                case 1: { long t = 0, u = 0; foreach (var f in Fields(bytes!)) { if (f.Field == 1) t = (long)f.Value; if (f.Field == 2) u = (long)f.Value; } p.SampleTypes.Add((t, u)); break; }
                case 2:
                {
                    var locs = new List<ulong>(); var vals = new List<long>();
                    foreach (var f in Fields(bytes!))
                    {
                        if (f.Field == 1) locs.AddRange(Packed(f.Bytes!));
                        if (f.Field == 2) foreach (ulong v in Packed(f.Bytes!)) vals.Add((long)v);
                    }
                    p.Samples.Add((locs, vals));
                    break;
                }
                case 3:
                {
                    ulong id = 0; long file = 0, build = 0;
                    foreach (var f in Fields(bytes!)) { if (f.Field == 1) id = f.Value; if (f.Field == 5) file = (long)f.Value; if (f.Field == 6) build = (long)f.Value; }
                    p.Mappings.Add((id, file, build));
                    break;
                }
                case 4:
                {
                    ulong id = 0, mapping = 0; var lines = new List<(ulong, long)>();
                    foreach (var f in Fields(bytes!))
                    {
                        if (f.Field == 1) id = f.Value;
                        if (f.Field == 2) mapping = f.Value;
                        if (f.Field == 4)
                        {
                            ulong fn = 0; long line = 0;
                            foreach (var g in Fields(f.Bytes!)) { if (g.Field == 1) fn = g.Value; if (g.Field == 2) line = (long)g.Value; }
                            lines.Add((fn, line));
                        }
                    }
                    p.Locations[id] = lines;
                    p.LocationMapping[id] = mapping;
                    break;
                }
                case 5:
                {
                    ulong id = 0; long name = 0, file = 0;
                    foreach (var f in Fields(bytes!)) { if (f.Field == 1) id = f.Value; if (f.Field == 2) name = (long)f.Value; if (f.Field == 4) file = (long)f.Value; }
                    p.Functions[id] = (name, file);
                    break;
                }
                case 6: p.Strings.Add(Encoding.UTF8.GetString(bytes!)); break;
            }
        }
        return p;
    }

    /// <summary>One sample as text: <c>leaf:line &lt; caller:line ... = v1,v2,v3,v4</c>, inlined frames as separate entries.</summary>
    public string Describe(int sample)
    {
        var sb = new StringBuilder();
        foreach (ulong loc in Samples[sample].Locations)
            foreach (var (fn, line) in Locations[loc])
            {
                if (sb.Length > 0) sb.Append(" < ");
                sb.Append(Strings[(int)Functions[fn].Name]).Append(':').Append(line);
            }
        sb.Append(" = ").Append(string.Join(",", Samples[sample].Values));
        return sb.ToString();
    }

    private static IEnumerable<ulong> Packed(byte[] b)
    {
        int pos = 0;
        while (pos < b.Length) yield return Varint(b, ref pos);
    }

    private static ulong Varint(byte[] b, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[pos++];
            v |= (ulong)(x & 0x7f) << shift;
            if (x < 0x80) return v;
        }
    }

    private static List<(int Field, ulong Value, byte[]? Bytes)> Fields(byte[] b)
    {
        var list = new List<(int, ulong, byte[]?)>();
        int pos = 0;
        while (pos < b.Length)
        {
            ulong tag = Varint(b, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (wire == 0) list.Add((field, Varint(b, ref pos), null));
            else if (wire == 2)
            {
                int len = (int)Varint(b, ref pos);
                list.Add((field, 0, b[pos..(pos + len)]));
                pos += len;
            }
            else throw new InvalidDataException("unexpected wire type " + wire);
        }
        return list;
    }
}
