using System.IO;
using System.Text.Json;
using Invisible.Abi.Census;
using Invisible.Abi.Query;
using Invisible.Runtime.Census;

namespace Invisible.Runtime.Reporting;

/// <summary>The machine-readable report (schema in the README, "JSON report").</summary>
public static class JsonReportWriter
{
    private static readonly string[] KindKeys = { "still_reachable", "definitely_lost", "indirectly_lost", "possibly_lost" };

    public static byte[] Format(ReportBuilder report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("pid", report.Pid);
            w.WriteString("command", report.Command);
            w.WriteString("symbolizer", "libdw");
            if (report.HasLeaks)
            {
                w.WriteStartObject("leaks");
                foreach (LeakKind kind in new[] { LeakKind.DefinitelyLost, LeakKind.IndirectlyLost, LeakKind.PossiblyLost, LeakKind.StillReachable })
                {
                    w.WriteStartObject(KindKeys[(int)kind]);
                    w.WriteNumber("blocks", report.Blocks[(int)kind]);
                    w.WriteNumber("bytes", report.Bytes[(int)kind]);
                    w.WriteEndObject();
                }
                if (report.SuppressionsInUse)
                {
                    w.WriteStartObject("suppressed");
                    w.WriteNumber("blocks", report.SuppressedBlocks);
                    w.WriteNumber("bytes", report.SuppressedBytes);
                    w.WriteEndObject();
                }
                w.WriteNumber("scanned_root_bytes", report.ScannedRootBytes);
                w.WriteNumber("threads_stopped", report.ThreadsStopped);
                w.WriteNumber("scan_ms", report.ScanMilliseconds);
                w.WriteStartArray("records");
                foreach (var r in report.Records)
                {
                    if (r.SuppressedBy >= 0) continue;
                    w.WriteStartObject();
                    w.WriteString("kind", KindKeys[(int)r.Record.Kind]);
                    w.WriteNumber("blocks", r.Record.Blocks);
                    w.WriteNumber("bytes", r.Record.Bytes);
                    w.WriteNumber("indirect_blocks", r.Record.IndirectBlocks);
                    w.WriteNumber("indirect_bytes", r.Record.IndirectBytes);
                    if (r.Type is null) w.WriteNull("type"); else w.WriteString("type", r.Type);
                    w.WritePropertyName("trace");
                    WriteFrames(w, r.Frames);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                if (report.SuppressionsInUse)
                {
                    w.WriteStartArray("suppressions");
                    foreach (SuppressionUse use in report.SuppressionsUsed)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", use.Name);
                        w.WriteNumber("blocks", use.Blocks);
                        w.WriteNumber("bytes", use.Bytes);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
            }
            if (report.Census is not null)
                CensusWriters.Json(w, report.Census);
            report.Profile?.WriteJson(w);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>A trace as an array of frames (leak records and profile sites alike), after its property name.</summary>
    public static void WriteFrames(Utf8JsonWriter w, Invisible.Abi.Symbolization.SourceFrame[] frames)
    {
        w.WriteStartArray();
        foreach (var f in frames)
        {
            w.WriteStartObject();
            w.WriteNumber("pc", f.Address);
            if (f.Function is null) w.WriteNull("function"); else w.WriteString("function", f.Function);
            if (f.File is null) w.WriteNull("file"); else w.WriteString("file", f.File);
            w.WriteNumber("line", f.Line);
            w.WriteString("module", f.Module);
            w.WriteBoolean("inlined", f.IsInlined);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
