using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Invisible.Abi.Dwarf;

/// <summary>
/// The name index of a big module (libc's separate DWARF: ~1,700 units) kept in a file, so a process that imports
/// it does not walk every unit again: <c>$XDG_CACHE_HOME/invisible/dwarf-index/BUILDID.idx</c> (else ~/.cache).
/// Keyed by the module's build-id; the file also records the DWARF file's path, size and modification time, and is
/// used only when they match (a libc6-dbg installed or upgraded later gives a new index). Written to a temporary
/// name and renamed, so concurrent processes never read half a file; a file that does not parse is ignored and
/// rewritten. Only modules with a build-id and at least <see cref="MinUnits"/> units are cached (small ones index
/// faster than a file is read).
/// </summary>
internal static class TypeIndexCache
{
    internal const int MinUnits = 64;
    private static readonly byte[] Magic = "INVIDX03"u8.ToArray();

    /// <summary>$XDG_CACHE_HOME/invisible/dwarf-index, else ~/.cache/invisible/dwarf-index; INVISIBLE_DWARF_INDEX_CACHE=0 turns it off.</summary>
    internal static string? Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("INVISIBLE_DWARF_INDEX_CACHE") == "0") return null;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string? home = Environment.GetEnvironmentVariable("HOME");
            string? root = xdg is { Length: > 0 } && Path.IsPathRooted(xdg) ? xdg
                : home is { Length: > 0 } ? Path.Combine(home, ".cache") : null;
            return root == null ? null : Path.Combine(root, "invisible", "dwarf-index");
        }
    }

    /// <summary>What identifies the DWARF an index was built from: the file it is in, its size and mtime.</summary>
    internal static string? Stamp(string dwarfFile)
    {
        try
        {
            var fi = new FileInfo(dwarfFile);
            if (!fi.Exists) return null;
            return fi.FullName + "\n" + fi.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"
                + fi.LastWriteTimeUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
    }

    /// <summary>INVISIBLE_DWARF_LOG=1: one stderr line per start-up phase of DWARF reading (libdw opened, the name
    /// index and the signature table read or ignored, with their times), to see what a start costs.</summary>
    internal static readonly bool Logging = Environment.GetEnvironmentVariable("INVISIBLE_DWARF_LOG") == "1";

    internal static void Log(string what)
    {
        if (Logging) Console.Error.WriteLine("invisible: dwarf: " + what);
    }

    internal static string? FileFor(string buildId)
    {
        string? dir = Directory;
        return dir == null ? null : Path.Combine(dir, buildId + ".idx");
    }

    // File layout (little-endian), every part at a multiple of 8:
    //   "INVIDX03", u32 header length H, then H bytes: stamp (u32 length + UTF-8), u32 units, i64 dies, i32 entries,
    //   i32 names, i32 table size (a power of two), i32 names-blob length; padding to 8;
    //   entries (16 bytes each: u64 DIE offset, i32 next, u8 kind, u8 flags, 2 zero bytes);
    //   the table (table size × (i32 name offset or -1, i32 head entry), slots by FNV-1a of the name, linear probing);
    //   the names blob ([u16 length][UTF-8] per name).
    private const int EntrySize = 16;

    /// <summary>The cached index, or null (no file, another DWARF file, unreadable).</summary>
    internal static unsafe TypeIndex? TryLoad(string buildId, string stamp)
    {
        string? file = FileFor(buildId);
        if (file == null) return null;
        long t0 = Stopwatch.GetTimestamp();
        byte* buf = null;
        try
        {
            using var h = File.OpenHandle(file, FileMode.Open, FileAccess.Read);
            long len = RandomAccess.GetLength(h);
            if (len < 16 || len > int.MaxValue) return null;
            buf = (byte*)NativeMemory.AlignedAlloc((nuint)len, 16);
            var span = new Span<byte>(buf, (int)len);
            int got = 0;
            while (got < span.Length)
            {
                int n = RandomAccess.Read(h, span.Slice(got), got);
                if (n <= 0) break;
                got += n;
            }
            if (got != span.Length) { NativeMemory.AlignedFree(buf); return null; }
            TypeIndex? idx = Parse(buf, (int)len, stamp, t0);
            if (idx == null) NativeMemory.AlignedFree(buf);
            Log(file + ": name index " + (idx == null ? "ignored (another DWARF file, or damaged)" : "read") + " ("
                + Stopwatch.GetElapsedTime(t0).TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " ms)");
            return idx;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            if (buf != null) NativeMemory.AlignedFree(buf);
            return null;
        }
    }

    private static unsafe TypeIndex? Parse(byte* d, int len, string stamp, long t0)
    {
        var all = new ReadOnlySpan<byte>(d, len);
        if (!all.Slice(0, 8).SequenceEqual(Magic)) return null;
        int hlen = BitConverter.ToInt32(all.Slice(8, 4));
        if (hlen < 28 || 12L + hlen > len) return null;
        var head = all.Slice(12, hlen);
        int slen = BitConverter.ToInt32(head);
        if (slen < 0 || 4L + slen + 24 > hlen) return null;
        if (Encoding.UTF8.GetString(head.Slice(4, slen)) != stamp) return null;
        var rest = head.Slice(4 + slen);
        int units = BitConverter.ToInt32(rest);
        long dies = BitConverter.ToInt64(rest.Slice(4));
        int count = BitConverter.ToInt32(rest.Slice(12));
        int names = BitConverter.ToInt32(rest.Slice(16));
        int tableSize = BitConverter.ToInt32(rest.Slice(20));
        int blobLen = BitConverter.ToInt32(rest.Slice(24));
        long entriesAt = Align8(12L + hlen);
        long tableAt = entriesAt + (long)count * EntrySize;
        long blobAt = Align8(tableAt + (long)tableSize * 8);
        if (count < 0 || names < 0 || blobLen < 0 || tableSize <= names || (tableSize & (tableSize - 1)) != 0 || blobAt + blobLen != len)
            return null;
        var entries = (TypeIndex.Entry*)(d + entriesAt);
        int* table = (int*)(d + tableAt);
        // Check every link once, so lookups never leave the buffer.
        for (int i = 0; i < count; i++)
            if (entries[i].Next < -1 || entries[i].Next >= count || (byte)entries[i].Kind > (byte)IndexKind.Variable) return null;
        for (int i = 0; i < tableSize; i++)
        {
            int off = table[i * 2], h = table[i * 2 + 1];
            if (off == -1) continue;
            if (off < 0 || off + 2L > blobLen || off + 2L + *(ushort*)(d + blobAt + off) > blobLen || h < 0 || h >= count) return null;
        }
        return new TypeIndex(d, entries, count, table, tableSize, d + blobAt, names, units, dies, Stopwatch.GetElapsedTime(t0));
    }

    private static long Align8(long x) => (x + 7) & ~7L;

    /// <summary>Writes the index (best effort: a read-only or full disk only costs the next process the walk).</summary>
    internal static void TrySave(string buildId, string stamp, TypeIndex index)
    {
        string? file = FileFor(buildId);
        if (file == null) return;
        string tmp = file + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // names blob and table
            var blob = new MemoryStream();
            int names = 0;
            var slots = new List<(uint Hash, int Off, int Head)>();
            foreach (KeyValuePair<string, int> kv in index.Heads)
            {
                byte[] u = Encoding.UTF8.GetBytes(kv.Key);
                if (u.Length > ushort.MaxValue) continue;
                slots.Add((TypeIndex.NameHash(u), (int)blob.Length, kv.Value));
                blob.Write(BitConverter.GetBytes((ushort)u.Length));
                blob.Write(u);
                names++;
            }
            int tableSize = 16;
            while (tableSize < names * 2) tableSize <<= 1;
            int[] table = new int[tableSize * 2];
            for (int i = 0; i < tableSize; i++) table[i * 2] = -1;
            foreach (var (hash, off, headEntry) in slots)
            {
                uint slot = hash & (uint)(tableSize - 1);
                while (table[slot * 2] != -1) slot = (slot + 1) & (uint)(tableSize - 1);
                table[slot * 2] = off;
                table[slot * 2 + 1] = headEntry;
            }
            byte[] st = Encoding.UTF8.GetBytes(stamp);
            var header = new MemoryStream();
            using (var hw = new BinaryWriter(header, Encoding.UTF8, leaveOpen: true))
            {
                hw.Write(st.Length); hw.Write(st);
                hw.Write(index.UnitCount); hw.Write(index.DiesVisited); hw.Write(index.EntryCount);
                hw.Write(names); hw.Write(tableSize); hw.Write((int)blob.Length);
            }
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var w = new BinaryWriter(fs, Encoding.UTF8))
            {
                w.Write(Magic);
                w.Write((int)header.Length);
                w.Write(header.ToArray());
                Pad(w);
                for (int i = 0; i < index.EntryCount; i++)
                {
                    ref readonly TypeIndex.Entry e = ref index.At(i);
                    w.Write(e.Die); w.Write(e.Next); w.Write((byte)e.Kind); w.Write(e.Flags); w.Write((ushort)0);
                }
                foreach (int v in table) w.Write(v);
                Pad(w);
                w.Write(blob.ToArray());
            }
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        while (w.BaseStream.Position % 8 != 0) w.Write((byte)0);
    }
}
