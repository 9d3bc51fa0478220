using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>
/// Uncompressed copies of big separate debug files, so that opening their DWARF costs a mapping instead of
/// decompressing it. Debian's libc6-dbg ships libc's DWARF with compressed sections (SHF_COMPRESSED: 2.3 MB of
/// .debug_info inflated to ~10 MB on every open): in a fresh process that inflating and the page faults of its
/// buffers were about 70% of <c>import c</c>. The first process that indexes such a module writes
/// <c>objcopy --decompress-debug-sections</c>'s copy under <c>$XDG_CACHE_HOME/invisible/debug/.build-id/xx/rest.debug</c>
/// (else ~/.cache); libdw looks there first (<see cref="SearchPath"/>, libdw's debuginfo_path) and checks the copy's
/// build-id as it does any debug file's. The copy is made with <see cref="QuietSpawn"/> (it may run inside a target),
/// written under a temporary name and renamed. INVISIBLE_DWARF_INDEX_CACHE=0 turns it off with the index cache.
/// </summary>
public static unsafe class DebugFileCache
{
    private static byte** s_path;
    private static string? s_root;
    private static readonly object Gate = new();

    /// <summary>The cache root, or null when caching is off or there is no home.</summary>
    public static string? Root => TypeIndexCache.Directory is string d ? Path.Combine(Path.GetDirectoryName(d)!, "debug") : null;

    /// <summary>libdw's debuginfo_path (a <c>char **</c>): the default ":.debug:/usr/lib/debug" with the cache root
    /// before /usr/lib/debug; null (libdw's default) when caching is off. The cell is made once and never freed (Dwfl
    /// handles keep it); libdw reads the string at each lookup, so a changed root (XDG_CACHE_HOME set later) is
    /// written into the cell by the next call (the old string is kept: a lookup may be reading it).</summary>
    internal static nint SearchPath()
    {
        lock (Gate)
        {
            string? root = Root;
            if (root == null) return s_path != null ? (nint)s_path : 0;
            if (s_path != null && root == s_root) return (nint)s_path;
            byte[] s = Encoding.UTF8.GetBytes(":.debug:" + root + ":/usr/lib/debug\0");
            byte* p = (byte*)NativeMemory.Alloc((nuint)s.Length);
            s.CopyTo(new Span<byte>(p, s.Length));
            if (s_path == null) s_path = (byte**)NativeMemory.Alloc((nuint)sizeof(nint));
            Volatile.Write(ref *(nint*)s_path, (nint)p);
            s_root = root;
            return (nint)s_path;
        }
    }

    /// <summary>Writes the uncompressed copy of <paramref name="debugFile"/> when it has compressed sections and
    /// is not a copy already. Returns the copy's path, or null (nothing to do, objcopy missing or failing).</summary>
    internal static string? MakeCopy(string debugFile, string buildId)
    {
        string? root = Root;
        if (root == null || buildId.Length < 3 || debugFile.StartsWith(root + "/", StringComparison.Ordinal)) return null;
        if (!HasCompressedSections(debugFile)) return null;
        string? objcopy = FindTool("objcopy");
        if (objcopy == null) return null;
        string dir = Path.Combine(root, ".build-id", buildId.Substring(0, 2));
        string dest = Path.Combine(dir, buildId.Substring(2) + ".debug");
        if (File.Exists(dest)) return dest;
        string tmp = dest + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Directory.CreateDirectory(dir);
            QuietSpawn.Result r = QuietSpawn.Run(objcopy, new[] { "--decompress-debug-sections", debugFile, tmp },
                new[] { "LD_PRELOAD", "LD_AUDIT", "INVISIBLE_*" }, new[] { new KeyValuePair<string, string>("LC_ALL", "C") }, 60_000);
            if (r.ExitCode != 0 || !File.Exists(tmp)) { TryDelete(tmp); return null; }
            File.Move(tmp, dest, overwrite: true);
            return dest;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            TryDelete(tmp);
            return null;
        }
    }

    /// <summary>True when a section of the ELF file has SHF_COMPRESSED (read from the section headers).</summary>
    public static bool HasCompressedSections(string file)
    {
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> h = stackalloc byte[64];
            if (fs.Read(h) != 64 || h[0] != 0x7f || h[1] != (byte)'E' || h[4] != 2) return false;
            long shoff = (long)BitConverter.ToUInt64(h.Slice(40, 8));
            int shentsize = BitConverter.ToUInt16(h.Slice(58, 2)), shnum = BitConverter.ToUInt16(h.Slice(60, 2));
            if (shentsize < 64 || shnum == 0 || shoff <= 0 || shoff + (long)shentsize * shnum > fs.Length) return false;
            byte[] table = new byte[shentsize * shnum];
            fs.Position = shoff;
            fs.ReadExactly(table);
            const ulong SHF_COMPRESSED = 0x800;
            for (int i = 0; i < shnum; i++)
                if ((BitConverter.ToUInt64(table, i * shentsize + 8) & SHF_COMPRESSED) != 0) return true;
            return false;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return false; }
    }

    private static string? FindTool(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        foreach (string d in (path is { Length: > 0 } ? path : "/usr/bin:/bin").Split(':'))
        {
            if (d.Length == 0) continue;
            string p = Path.Combine(d, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static void TryDelete(string p)
    {
        try { File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
