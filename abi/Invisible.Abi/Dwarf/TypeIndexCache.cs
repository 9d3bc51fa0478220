using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
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
    private static readonly byte[] Magic = "INVIDX02"u8.ToArray();

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

    internal static string? FileFor(string buildId)
    {
        string? dir = Directory;
        return dir == null ? null : Path.Combine(dir, buildId + ".idx");
    }

    /// <summary>The cached index, or null (no file, another DWARF file, unreadable).</summary>
    internal static TypeIndex? TryLoad(string buildId, string stamp)
    {
        string? file = FileFor(buildId);
        if (file == null) return null;
        long t0 = Stopwatch.GetTimestamp();
        byte[] data;
        try { data = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
        try { return Parse(data, stamp, t0); }
        catch (Exception e) when (e is FormatException || e is ArgumentException || e is IndexOutOfRangeException) { return null; }
    }

    private static TypeIndex? Parse(byte[] data, string stamp, long t0)
    {
        var r = new Reader(data);
        if (data.Length < Magic.Length || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        r.Pos = Magic.Length;
        if (r.String() != stamp) return null;
        int units = r.Int32();
        long dies = r.Int64();
        int count = r.Int32();
        int names = r.Int32();
        if (count < 0 || names < 0 || count > data.Length || names > count) throw new FormatException();
        var entries = new TypeIndex.Entry[Math.Max(count, 1)];
        for (int i = 0; i < count; i++)
        {
            ulong die = (ulong)r.Int64();
            int next = r.Int32();
            byte kind = r.Byte(), flags = r.Byte();
            if (next < -1 || next >= count || kind > (byte)IndexKind.Variable) throw new FormatException();
            entries[i] = new TypeIndex.Entry(die, next, (IndexKind)kind, flags);
        }
        var heads = new Dictionary<string, int>(names, StringComparer.Ordinal);
        for (int i = 0; i < names; i++)
        {
            string name = r.String();
            int head = r.Int32();
            if (head < 0 || head >= count) throw new FormatException();
            heads[name] = head;
        }
        if (r.Pos != data.Length) throw new FormatException();
        return new TypeIndex(heads, entries, count, units, dies, Stopwatch.GetElapsedTime(t0), fromCache: true);
    }

    /// <summary>Writes the index (best effort: a read-only or full disk only costs the next process the walk).</summary>
    internal static void TrySave(string buildId, string stamp, TypeIndex index)
    {
        string? file = FileFor(buildId);
        if (file == null) return;
        string tmp = file + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var w = new BinaryWriter(fs, Encoding.UTF8))
            {
                w.Write(Magic);
                w.Write(stamp);
                w.Write(index.UnitCount);
                w.Write(index.DiesVisited);
                w.Write(index.EntryCount);
                w.Write(index.NameCount);
                for (int i = 0; i < index.EntryCount; i++)
                {
                    ref readonly TypeIndex.Entry e = ref index.At(i);
                    w.Write((long)e.Die);
                    w.Write(e.Next);
                    w.Write((byte)e.Kind);
                    w.Write(e.Flags);
                }
                foreach (KeyValuePair<string, int> kv in index.Heads)
                {
                    w.Write(kv.Key);
                    w.Write(kv.Value);
                }
            }
            File.Move(tmp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote (little-endian, 7-bit-length-prefixed UTF-8 strings).</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _d;
        public int Pos;
        public Reader(byte[] d) { _d = d; Pos = 0; }
        public byte Byte() => _d[Pos++];
        public int Int32() { int v = BitConverter.ToInt32(_d.Slice(Pos, 4)); Pos += 4; return v; }
        public long Int64() { long v = BitConverter.ToInt64(_d.Slice(Pos, 8)); Pos += 8; return v; }
        public string String()
        {
            int len = 0, shift = 0;
            while (true)
            {
                byte b = Byte();
                len |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) break;
                shift += 7;
                if (shift > 28) throw new FormatException();
            }
            if (len < 0 || Pos + len > _d.Length) throw new FormatException();
            string s = Encoding.UTF8.GetString(_d.Slice(Pos, len));
            Pos += len;
            return s;
        }
    }
}
