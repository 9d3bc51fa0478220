using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace Invisible.Abi.SiteTypes;

/// <summary>
/// The wrapper ranges of one file, cached by its GNU build id at <c>$XDG_CACHE_HOME/invisible/wrappers/BUILDID</c>
/// (else <c>~/.cache/...</c>), where libinvisible.so's start reads them (malloc-instrument/src/hooks/wrappers.c).
/// Format, little-endian: "INVWRAP1", u32 count, u32 flags (1: the scan ran out of time), then count entries of
/// { u64 start, u64 end, u32 extra depth, u32 0 }, link-time addresses, sorted and disjoint. A file with no
/// wrappers (or no DWARF) is cached with count 0, so it is not scanned again.
/// </summary>
public static class WrapperCache
{
    public const uint FlagTimedOut = 1;
    private static ReadOnlySpan<byte> Magic => "INVWRAP1"u8;
    private const int EntrySize = 24, HeaderSize = 16;

    /// <summary>The cache directory, or null when neither XDG_CACHE_HOME nor HOME is usable.</summary>
    public static string? Directory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && xdg[0] == '/') return Path.Combine(xdg, "invisible", "wrappers");
        string? home = Environment.GetEnvironmentVariable("HOME");
        if (!string.IsNullOrEmpty(home) && home[0] == '/') return Path.Combine(home, ".cache", "invisible", "wrappers");
        return null;
    }

    public static string? PathFor(string buildId)
    {
        string? dir = Directory();
        return dir is null || buildId.Length == 0 ? null : Path.Combine(dir, buildId);
    }

    /// <summary>Write atomically (a temporary file renamed over the name): a process starting meanwhile reads the
    /// old file or the new one, never half of one.</summary>
    public static void Write(string path, IReadOnlyList<WrapperRange> ranges, uint flags)
    {
        var bytes = new byte[HeaderSize + ranges.Count * EntrySize];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)ranges.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), flags);
        for (int i = 0; i < ranges.Count; i++)
        {
            Span<byte> e = bytes.AsSpan(HeaderSize + i * EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(e, ranges[i].Start);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], ranges[i].End);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)ranges[i].Extra);
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, true);
    }

    /// <summary>The ranges of a cache file; null when it is missing or malformed.</summary>
    public static List<WrapperRange>? Read(string path, out uint flags)
    {
        flags = 0;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) return null;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        if ((ulong)bytes.Length != HeaderSize + (ulong)count * EntrySize) return null;
        var ranges = new List<WrapperRange>((int)count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = bytes.AsSpan(HeaderSize + i * EntrySize);
            ranges.Add(new WrapperRange(BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadUInt64LittleEndian(e[8..]),
                                        (int)BinaryPrimitives.ReadUInt32LittleEndian(e[16..])));
        }
        return ranges;
    }
}
