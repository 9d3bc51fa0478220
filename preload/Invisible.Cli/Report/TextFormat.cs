using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Invisible.Cli.Report;

/// <summary>
/// heaptrack_print-like text: a summary, then the sites with the most allocations, the most temporary
/// allocations, the most bytes held at the heap's peak (these three need the report's profile), and the leaks.
/// Each section lists at most <see cref="Top"/> sites, largest first (ties: the order of the report).
/// </summary>
public static class TextFormat
{
    public const int Top = 10;

    public static byte[] Write(ReportDocument report)
    {
        var sb = new StringBuilder();
        sb.Append("invisible report: ").Append(report.Command).Append(" (pid ")
          .Append(report.Pid.ToString(CultureInfo.InvariantCulture)).Append(")\n");
        ProfileSection? p = report.Profile;
        if (p is not null)
        {
            sb.Append("total: ").Append(ReportDocument.Count(p.TotalAllocations)).Append(" allocations, ")
              .Append(ReportDocument.Count(p.TotalBytes)).Append(" bytes, ")
              .Append(ReportDocument.Count(p.TotalTemporary)).Append(" temporary\n");
            sb.Append("peak: ").Append(ReportDocument.Count(p.PeakBytes)).Append(" bytes at ")
              .Append(p.PeakTimeMs.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms\n");

            Section(sb, "MOST ALLOCATIONS", p.Sites, s => s.Allocations,
                    s => ReportDocument.Count(s.Allocations) + " allocations, " + ReportDocument.Count(s.Bytes) + " bytes");
            Section(sb, "MOST TEMPORARY ALLOCATIONS", p.Sites, s => s.Temporary,
                    s => ReportDocument.Count(s.Temporary) + " temporary of " + ReportDocument.Count(s.Allocations) + " allocations");
            Section(sb, "PEAK MEMORY CONSUMERS", p.Sites, s => s.PeakBytes,
                    s => ReportDocument.Count(s.PeakBytes) + " bytes at peak");
        }
        else
        {
            sb.Append("(no profile in this report: run with --profile for allocations, temporary allocations and the peak)\n");
        }

        if (report.LeakTotals is null)
        {
            sb.Append("\nLEAKS\n(no leak check in this report)\n");
        }
        else
        {
            sb.Append("\nLEAKS\n");
            foreach (string kind in ReportDocument.LeakKinds)
            {
                LeakTotal t = report.LeakTotals.TryGetValue(kind, out LeakTotal v) ? v : default;
                sb.Append(kind.Replace('_', ' ')).Append(": ").Append(ReportDocument.Count(t.Bytes)).Append(" bytes in ")
                  .Append(ReportDocument.Count(t.Blocks)).Append(" blocks\n");
            }
            foreach (LeakRecord r in report.Leaks)
            {
                sb.Append('\n').Append(ReportDocument.Count(r.Bytes + r.IndirectBytes)).Append(" bytes");
                if (r.IndirectBytes > 0)
                    sb.Append(" (").Append(ReportDocument.Count(r.Bytes)).Append(" direct, ")
                      .Append(ReportDocument.Count(r.IndirectBytes)).Append(" indirect)");
                sb.Append(" in ").Append(ReportDocument.Count(r.Blocks)).Append(" blocks ")
                  .Append(r.Kind.Replace('_', ' '));
                if (r.Type is not null) sb.Append(", type ").Append(r.Type);
                sb.Append(", from:\n");
                Trace(sb, r.Trace);
            }
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void Section(StringBuilder sb, string title, ProfileSite[] sites, Func<ProfileSite, long> key,
                                Func<ProfileSite, string> describe)
    {
        sb.Append('\n').Append(title).Append('\n');
        var order = new List<int>(sites.Length);
        for (int i = 0; i < sites.Length; i++)
            if (key(sites[i]) > 0) order.Add(i);
        // Stable: largest first, ties in the report's order.
        order.Sort((a, b) => { int c = key(sites[b]).CompareTo(key(sites[a])); return c != 0 ? c : a.CompareTo(b); });
        if (order.Count == 0) { sb.Append("(none)\n"); return; }
        for (int i = 0; i < order.Count && i < Top; i++)
        {
            ProfileSite s = sites[order[i]];
            if (i > 0) sb.Append('\n');
            sb.Append(describe(s)).Append(" from:\n");
            Trace(sb, s.Trace);
        }
        if (order.Count > Top)
            sb.Append("(").Append(order.Count - Top).Append(" more sites)\n");
    }

    private static void Trace(StringBuilder sb, ReportFrame[] trace)
    {
        if (trace.Length == 0) { sb.Append("  [no trace]\n"); return; }
        foreach (ReportFrame f in trace)
        {
            sb.Append("  ").Append(f.DisplayName);
            string? loc = f.Location;
            if (loc is not null) sb.Append(" (").Append(loc).Append(')');
            sb.Append('\n');
        }
    }
}
