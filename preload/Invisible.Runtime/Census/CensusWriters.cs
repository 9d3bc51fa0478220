using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Invisible.Abi.Census;

namespace Invisible.Runtime.Census;

/// <summary>The census as text (in the report's <c>==PID==</c> style) and as the JSON <c>"census"</c> array.</summary>
public static class CensusWriters
{
    /// <summary>How many sites are listed under each type in the text report.</summary>
    public const int TextSitesPerType = 3;

    public static string Text(CensusResult census, int pid)
    {
        var sb = new StringBuilder();
        string prefix = "==" + pid.ToString(CultureInfo.InvariantCulture) + "== ";
        sb.Append(prefix).Append("HEAP CENSUS: ").Append(Grouped(census.Blocks)).Append(" live blocks, ")
          .Append(Grouped(census.Bytes)).Append(" bytes, by type\n");
        sb.Append(prefix).Append(string.Format(CultureInfo.InvariantCulture, "{0,12} {1,14} {2,7}  {3}\n", "blocks", "bytes", "share", "type"));
        foreach (CensusType t in census.Types)
        {
            double share = census.Bytes == 0 ? 0 : 100.0 * t.Bytes / census.Bytes;
            sb.Append(prefix).Append(string.Format(CultureInfo.InvariantCulture, "{0,12} {1,14} {2,6:0.0}%  {3}\n",
                Grouped(t.Blocks), Grouped(t.Bytes), share, t.Type));
            for (int i = 0; i < t.Sites.Count && i < TextSitesPerType; i++)
            {
                CensusSite s = t.Sites[i];
                sb.Append(prefix).Append(string.Format(CultureInfo.InvariantCulture, "{0,12} {1,14} {2,7}    {3}\n",
                    Grouped(s.Blocks), Grouped(s.Bytes), "", s.Evidence switch
                    {
                        "pointer" => "from " + SiteText(s),
                        "unreached" => "no typed pointer reaches them",
                        _ => "at " + SiteText(s),
                    }));
            }
            if (t.Sites.Count > TextSitesPerType)
                sb.Append(prefix).Append(string.Format(CultureInfo.InvariantCulture, "{0,12} {1,14} {2,7}    ... {3} more sites\n",
                    "", "", "", t.Sites.Count - TextSitesPerType));
        }
        double typed = census.Blocks == 0 ? 100 : 100.0 * census.TypedBlocks / census.Blocks;
        sb.Append(prefix).Append("Typed: ").Append(Grouped(census.TypedBlocks)).Append(" of ").Append(Grouped(census.Blocks))
          .Append(" blocks (").Append(typed.ToString("0.0", CultureInfo.InvariantCulture)).Append("%) from ")
          .Append(census.Sites).Append(" sites; census ")
          .Append(census.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms (walk ")
          .Append(census.WalkMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms)\n");
        if (census.Before is PreexistingHeap before) BeforeText(sb, prefix, before);
        return sb.ToString();
    }

    /// <summary>What glibc's heap held before the attach, and the walk checked against mallinfo2() (same process, same
    /// moment): in-use bytes in the arenas = the program's blocks + tcache chunks + glibc's tcache structures + fence
    /// posts + headers; mmapped bytes = hblkhd.</summary>
    private static void BeforeText(StringBuilder sb, string prefix, PreexistingHeap before)
    {
        GlibcHeapWalk w = before.Walk;
        double typed = before.Blocks == 0 ? 100 : 100.0 * before.TypedBlocks / before.Blocks;
        sb.Append(prefix).Append("Before the attach: ").Append(Grouped(before.Blocks)).Append(" blocks (")
          .Append(Grouped(before.Bytes)).Append(" bytes) in glibc's heap, ").Append(Grouped(before.TypedBlocks)).Append(" (")
          .Append(typed.ToString("0.0", CultureInfo.InvariantCulture)).Append("%) typed by pointers from ")
          .Append(before.Roots.ToString(CultureInfo.InvariantCulture)).Append(" globals and ")
          .Append(before.LocalRoots.ToString(CultureInfo.InvariantCulture)).Append(" locals in ")
          .Append(before.Frames.ToString(CultureInfo.InvariantCulture)).Append(" frames of ")
          .Append(before.Threads.ToString(CultureInfo.InvariantCulture)).Append(" threads");
        if (before.Conflicts > 0) sb.Append(", ").Append(before.Conflicts.ToString(CultureInfo.InvariantCulture)).Append(" conflicting pointers");
        sb.Append("; ").Append(Grouped(before.Tracked)).Append(" since, in the table");
        if (before.Runtime > 0) sb.Append(", ").Append(Grouped(before.Runtime)).Append(" of the runtime's own (left out)");
        sb.Append("; heap walk ")
          .Append(w.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms (glibc's layouts from its DWARF ")
          .Append(w.LayoutMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms), typing ")
          .Append(before.TypingMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms\n");
        if (w.Error is not null)
            sb.Append(prefix).Append("glibc heap walk stopped: ").Append(w.Error).Append('\n');
        sb.Append(prefix).Append("glibc heap: ").Append(w.Arenas.ToString(CultureInfo.InvariantCulture)).Append(" arenas")
          .Append(w.HelperArenas > 0 ? " (and " + w.HelperArenas.ToString(CultureInfo.InvariantCulture) + " of the report helper's own, not walked)" : "")
          .Append(", ")
          .Append(w.Threads.ToString(CultureInfo.InvariantCulture)).Append(" thread caches")
          .Append(w.UnreadableThreads > 0 ? " (" + w.UnreadableThreads.ToString(CultureInfo.InvariantCulture) + " threads' caches not readable in this copy)" : "")
          .Append("; in use ").Append(Grouped(w.WalkUordblks))
          .Append(" bytes = blocks ").Append(Grouped(w.BlockChunkBytes)).Append(" + tcache ").Append(Grouped(w.TcacheBytes))
          .Append(" (").Append(Grouped(w.TcacheChunks)).Append(" chunks) + tcache structures ").Append(Grouped(w.TcacheStructBytes))
          .Append(" + fence posts ").Append(Grouped(w.FencepostBytes)).Append(" + headers ").Append(Grouped(w.HeaderBytesTotal))
          .Append("; fastbins ").Append(Grouped(w.FastbinBytes)).Append(" (").Append(Grouped(w.FastbinChunks)).Append(" chunks); mmapped ")
          .Append(Grouped(w.MmappedBytes)).Append(" in ").Append(Grouped(w.MmappedChunks)).Append(" chunks\n");
        if (w.HaveMallinfo)
            sb.Append(prefix).Append("mallinfo2: uordblks ").Append(Grouped(w.MallinfoUordblks))
              .Append(w.MallinfoUordblks == w.WalkUordblks ? " (= walk)" : " (walk " + Grouped(w.WalkUordblks) + ")")
              .Append(", hblkhd ").Append(Grouped(w.MallinfoHblkhd))
              .Append(w.MallinfoHblkhd == w.MmappedBytes ? " (= walk)" : " (walk " + Grouped(w.MmappedBytes) + ")").Append('\n');
    }

    public static string SiteText(CensusSite s)
    {
        string fn = s.Function ?? ("0x" + s.Pc.ToString("x", CultureInfo.InvariantCulture));
        if (s.File is not null && s.Line > 0)
            return fn + " (" + Path.GetFileName(s.File) + ":" + s.Line.ToString(CultureInfo.InvariantCulture) + ")";
        return s.Module.Length > 0 ? fn + " (in " + Path.GetFileName(s.Module) + ")" : fn;
    }

    /// <summary><c>"census": [{"type","blocks","bytes","sites":[{"function","file","line","blocks","bytes"}]}]</c>
    /// and <c>"census_summary"</c>.</summary>
    public static void Json(Utf8JsonWriter w, CensusResult census)
    {
        w.WriteStartArray("census");
        foreach (CensusType t in census.Types)
        {
            w.WriteStartObject();
            w.WriteString("type", t.Type);
            w.WriteNumber("blocks", t.Blocks);
            w.WriteNumber("bytes", t.Bytes);
            w.WriteBoolean("known", t.Known);
            w.WriteStartArray("sites");
            foreach (CensusSite s in t.Sites)
            {
                w.WriteStartObject();
                if (s.Function is null) w.WriteNull("function"); else w.WriteString("function", s.Function);
                if (s.File is null) w.WriteNull("file"); else w.WriteString("file", s.File);
                w.WriteNumber("line", s.Line);
                w.WriteNumber("blocks", s.Blocks);
                w.WriteNumber("bytes", s.Bytes);
                w.WriteString("evidence", s.Evidence);
                w.WriteString("module", s.Module);
                w.WriteNumber("pc", s.Pc);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("census_summary");
        w.WriteNumber("blocks", census.Blocks);
        w.WriteNumber("bytes", census.Bytes);
        w.WriteNumber("typed_blocks", census.TypedBlocks);
        w.WriteNumber("typed_bytes", census.TypedBytes);
        w.WriteNumber("sites", census.Sites);
        w.WriteNumber("own_blocks", census.OwnBlocks);
        w.WriteNumber("walk_ms", census.WalkMilliseconds);
        w.WriteNumber("total_ms", census.TotalMilliseconds);
        if (census.Before is PreexistingHeap before)
        {
            GlibcHeapWalk h = before.Walk;
            w.WriteStartObject("before_attach");
            w.WriteNumber("blocks", before.Blocks);
            w.WriteNumber("bytes", before.Bytes);
            w.WriteNumber("typed_blocks", before.TypedBlocks);
            w.WriteNumber("typed_bytes", before.TypedBytes);
            w.WriteNumber("tracked_blocks", before.Tracked);
            w.WriteNumber("roots", before.Roots);
            w.WriteNumber("local_roots", before.LocalRoots);
            w.WriteNumber("frames", before.Frames);
            w.WriteNumber("threads", before.Threads);
            w.WriteNumber("conflicts", before.Conflicts);
            w.WriteNumber("heap_walk_ms", h.Milliseconds);
            w.WriteNumber("heap_layout_ms", h.LayoutMilliseconds);
            w.WriteNumber("typing_ms", before.TypingMilliseconds);
            w.WriteNumber("arenas", h.Arenas);
            w.WriteNumber("helper_arenas", h.HelperArenas);
            w.WriteNumber("walk_uordblks", h.WalkUordblks);
            w.WriteNumber("walk_mmapped", h.MmappedBytes);
            if (h.HaveMallinfo)
            {
                w.WriteNumber("mallinfo2_uordblks", h.MallinfoUordblks);
                w.WriteNumber("mallinfo2_hblkhd", h.MallinfoHblkhd);
            }
            if (h.Error is null) w.WriteNull("error"); else w.WriteString("error", h.Error);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static string Grouped(ulong value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}

/// <summary>Raw writes to a descriptor (the report's, or the attach connection's memfd).</summary>
internal static unsafe partial class Descriptor
{
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nuint count);

    public static bool WriteAll(int fd, byte[] bytes)
    {
        fixed (byte* p = bytes)
        {
            long done = 0;
            while (done < bytes.Length)
            {
                nint n = write(fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 4) continue; // EINTR
                    return false;
                }
                done += n;
            }
        }
        return true;
    }
}
