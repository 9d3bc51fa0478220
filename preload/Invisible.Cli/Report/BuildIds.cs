using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Invisible.Cli.Report;

/// <summary>GNU build ids (NT_GNU_BUILD_ID notes) of the modules a report names, for pprof's mappings: taken from
/// the frame when the report carries one, else read from the module file if it is still there (a module that is
/// gone or not ELF has none: pprof then matches by file name).</summary>
public sealed class BuildIds
{
    private readonly Dictionary<string, string> _cache = new(StringComparer.Ordinal);

    public string Of(ReportFrame frame)
    {
        if (!string.IsNullOrEmpty(frame.BuildId)) return frame.BuildId;
        if (frame.Module.Length == 0) return "";
        if (_cache.TryGetValue(frame.Module, out string? id)) return id;
        id = ReadFromFile(frame.Module);
        _cache[frame.Module] = id;
        return id;
    }

    private static string ReadFromFile(string path)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read);
            var header = new byte[64];
            if (f.Read(header, 0, 64) != 64 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L'
                || header[3] != (byte)'F' || header[4] != 2 || header[5] != 1)
                return ""; // ELF64 little-endian only (x86-64)
            long phoff = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(32));
            int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(54));
            int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(56));
            if (phentsize < 56 || phnum > 256) return "";
            var ph = new byte[phentsize];
            for (int i = 0; i < phnum; i++)
            {
                f.Position = phoff + (long)i * phentsize;
                if (f.Read(ph, 0, phentsize) != phentsize) return "";
                if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 4) continue; // PT_NOTE
                long offset = BinaryPrimitives.ReadInt64LittleEndian(ph.AsSpan(8));
                long size = BinaryPrimitives.ReadInt64LittleEndian(ph.AsSpan(32));
                if (size <= 0 || size > 1 << 16) continue;
                var notes = new byte[size];
                f.Position = offset;
                if (f.Read(notes, 0, (int)size) != size) continue;
                string id = FindGnuBuildId(notes);
                if (id.Length > 0) return id;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        return "";
    }

    private static string FindGnuBuildId(ReadOnlySpan<byte> notes)
    {
        int pos = 0;
        while (pos + 12 <= notes.Length)
        {
            int namesz = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes.Slice(pos));
            int descsz = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes.Slice(pos + 4));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes.Slice(pos + 8));
            int name = pos + 12;
            int desc = name + ((namesz + 3) & ~3);
            int next = desc + ((descsz + 3) & ~3);
            if (namesz < 0 || descsz < 0 || next > notes.Length || next <= pos) break;
            if (type == 3 && namesz == 4 && notes.Slice(name, 4).SequenceEqual("GNU\0"u8))
            {
                var sb = new StringBuilder(descsz * 2);
                foreach (byte b in notes.Slice(desc, descsz)) sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                return sb.ToString();
            }
            pos = next;
        }
        return "";
    }
}
