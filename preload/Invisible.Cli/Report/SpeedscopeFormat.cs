using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Invisible.Cli.Report;

/// <summary>
/// speedscope's file format (https://www.speedscope.app/file-format-schema.json): shared frames, and one
/// "sampled" profile per view, stacks root first, weighted in bytes: bytes allocated, bytes live at the heap's
/// peak and bytes live at exit when the report has a profile; bytes leaked (the leak records) otherwise.
/// </summary>
public static class SpeedscopeFormat
{
    public const string Schema = "https://www.speedscope.app/file-format-schema.json";

    public static byte[] Write(ReportDocument report)
    {
        var frames = new List<ReportFrame>();
        // A speedscope frame is a function (name and file): its callers merge in the flame graph however many
        // lines call from it, so no line is written.
        var frameIndex = new Dictionary<(string, string?), int>();
        int FrameOf(ReportFrame f)
        {
            var key = (f.DisplayName, f.File);
            if (frameIndex.TryGetValue(key, out int i)) return i;
            i = frames.Count;
            frames.Add(f);
            frameIndex[key] = i;
            return i;
        }

        IReadOnlyList<StackSample> samples = report.Samples();
        var views = new List<(string Name, Func<StackSample, long> Weight)>();
        if (report.Profile is not null)
        {
            views.Add(("allocated bytes", s => s.Bytes));
            views.Add(("live bytes at peak", s => s.PeakBytes));
            views.Add(("live bytes at exit", s => s.LiveBytes));
        }
        else
        {
            views.Add(("leaked bytes", s => s.Bytes));
        }
        // Frame indices first, so that the shared frame table is complete before it is written.
        var stacks = new List<int[]>(samples.Count);
        foreach (StackSample s in samples)
        {
            var stack = new int[s.Trace.Length];
            for (int i = 0; i < stack.Length; i++) stack[i] = FrameOf(s.Trace[s.Trace.Length - 1 - i]);
            stacks.Add(stack);
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", Schema);
            w.WriteString("name", report.Command + " (pid " + report.Pid + ")");
            w.WriteString("exporter", "invisible 0.1");
            w.WriteNumber("activeProfileIndex", 0);
            w.WriteStartObject("shared");
            w.WriteStartArray("frames");
            foreach (ReportFrame f in frames)
            {
                w.WriteStartObject();
                w.WriteString("name", f.DisplayName);
                if (f.File is not null) w.WriteString("file", f.File);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("profiles");
            foreach (var (name, weight) in views)
            {
                long total = 0;
                w.WriteStartObject();
                w.WriteString("type", "sampled");
                w.WriteString("name", name);
                w.WriteString("unit", "bytes");
                w.WriteNumber("startValue", 0);
                w.WriteStartArray("samples");
                for (int i = 0; i < samples.Count; i++)
                {
                    if (weight(samples[i]) <= 0) continue;
                    w.WriteStartArray();
                    foreach (int f in stacks[i]) w.WriteNumberValue(f);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteStartArray("weights");
                for (int i = 0; i < samples.Count; i++)
                {
                    long v = weight(samples[i]);
                    if (v <= 0) continue;
                    w.WriteNumberValue(v);
                    total += v;
                }
                w.WriteEndArray();
                w.WriteNumber("endValue", total);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }
}
