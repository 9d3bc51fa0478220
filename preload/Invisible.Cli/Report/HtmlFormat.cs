using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Invisible.Cli.Report;

/// <summary>
/// One self-contained HTML page (no network: the CSS, the script and the data are inline; its CSP forbids any
/// fetch): summary, flame graphs (bytes allocated, live at the heap's peak, live at exit; or leaked when the
/// report has no profile), the census by type as a bar chart, the leak table and the heap timeline. The page is
/// <c>Html/report.html</c> with <c>Html/report.css</c> and <c>Html/report.js</c> (embedded resources) and the
/// data as JSON; the script draws it.
/// </summary>
public static class HtmlFormat
{
    private sealed class FlameNode
    {
        public readonly string Name;
        public long Value;
        public readonly SortedDictionary<string, FlameNode> Children = new(StringComparer.Ordinal);
        public FlameNode(string name) { Name = name; }
    }

    public static byte[] Write(ReportDocument report)
    {
        string page = Resource("report.html");
        page = page.Replace("/*INVISIBLE_CSS*/", Resource("report.css"), StringComparison.Ordinal)
                   .Replace("/*INVISIBLE_JS*/", Resource("report.js"), StringComparison.Ordinal);
        // Utf8JsonWriter's default encoder escapes <, > and & as \u003C..., so the data cannot end its <script>.
        string data = Encoding.UTF8.GetString(Data(report));
        int at = page.IndexOf("__INVISIBLE_DATA__", StringComparison.Ordinal);
        page = page.Substring(0, at) + data + page.Substring(at + "__INVISIBLE_DATA__".Length);
        return Encoding.UTF8.GetBytes(page);
    }

    private static string Resource(string name)
    {
        using Stream? s = typeof(HtmlFormat).Assembly.GetManifestResourceStream("Invisible.Cli.Report.Html." + name);
        if (s is null) throw new InvalidOperationException("missing embedded resource " + name);
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    private static byte[] Data(ReportDocument report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("command", report.Command);
            w.WriteNumber("pid", report.Pid);

            w.WriteStartArray("summary");
            ProfileSection? p = report.Profile;
            if (p is not null)
            {
                Row(w, "allocations", ReportDocument.Count(p.TotalAllocations));
                Row(w, "bytes allocated", ReportDocument.Count(p.TotalBytes));
                Row(w, "temporary allocations", ReportDocument.Count(p.TotalTemporary));
                Row(w, "heap peak", ReportDocument.Count(p.PeakBytes) + " bytes at "
                    + p.PeakTimeMs.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms");
            }
            if (report.LeakTotals is not null)
                foreach (string kind in ReportDocument.LeakKinds)
                {
                    LeakTotal t = report.LeakTotals.TryGetValue(kind, out LeakTotal v) ? v : default;
                    Row(w, kind.Replace('_', ' '), ReportDocument.Count(t.Bytes) + " bytes in " + ReportDocument.Count(t.Blocks) + " blocks");
                }
            w.WriteEndArray();

            w.WriteStartArray("flames");
            IReadOnlyList<StackSample> samples = report.Samples();
            if (p is not null)
            {
                Flame(w, "allocated", "bytes allocated", samples, s => s.Bytes);
                Flame(w, "peak", "live bytes at the heap's peak", samples, s => s.PeakBytes);
                Flame(w, "exit", "live bytes at exit", samples, s => s.LiveBytes);
            }
            else
            {
                Flame(w, "exit", "bytes leaked or live at exit (leak records)", samples, s => s.Bytes);
            }
            w.WriteEndArray();

            if (report.Census is not null)
            {
                w.WriteStartArray("census");
                foreach (CensusType t in report.Census)
                {
                    w.WriteStartObject();
                    w.WriteString("type", t.Type);
                    w.WriteNumber("blocks", t.Blocks);
                    w.WriteNumber("bytes", t.Bytes);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            if (report.LeakTotals is not null)
            {
                w.WriteStartArray("leaks");
                foreach (LeakRecord r in report.Leaks)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", r.Kind);
                    w.WriteNumber("bytes", r.Bytes);
                    w.WriteNumber("blocks", r.Blocks);
                    w.WriteNumber("indirect_bytes", r.IndirectBytes);
                    if (r.Type is not null) w.WriteString("type", r.Type);
                    w.WriteStartArray("frames");
                    foreach (ReportFrame f in r.Trace)
                        w.WriteStringValue(f.Location is null ? f.DisplayName : f.DisplayName + " (" + f.Location + ")");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            if (p is not null)
            {
                w.WriteStartArray("timeline");
                foreach (TimelinePoint t in p.Timeline)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(t.TimeMs);
                    w.WriteNumberValue(t.HeapBytes);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteStartArray("peak");
                w.WriteNumberValue(p.PeakTimeMs);
                w.WriteNumberValue(p.PeakBytes);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void Row(Utf8JsonWriter w, string key, string value)
    {
        w.WriteStartArray();
        w.WriteStringValue(key);
        w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static void Flame(Utf8JsonWriter w, string id, string title, IReadOnlyList<StackSample> samples, Func<StackSample, long> weight)
    {
        var root = new FlameNode("all");
        foreach (StackSample s in samples)
        {
            long v = weight(s);
            if (v <= 0) continue;
            root.Value += v;
            FlameNode node = root;
            for (int i = s.Trace.Length - 1; i >= 0; i--)
            {
                string name = s.Trace[i].DisplayName;
                if (!node.Children.TryGetValue(name, out FlameNode? child))
                    node.Children[name] = child = new FlameNode(name);
                child.Value += v;
                node = child;
            }
        }
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("title", title);
        w.WritePropertyName("root");
        Node(w, root);
        w.WriteEndObject();
    }

    private static void Node(Utf8JsonWriter w, FlameNode node)
    {
        w.WriteStartObject();
        w.WriteString("n", node.Name);
        w.WriteNumber("v", node.Value);
        if (node.Children.Count > 0)
        {
            w.WriteStartArray("c");
            foreach (FlameNode c in node.Children.Values) Node(w, c);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
