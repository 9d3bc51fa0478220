using System.Globalization;
using System.IO;
using System.Text;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;

namespace Invisible.Runtime.Reporting;

/// <summary>The human report, in the shape valgrind users read every day:
/// loss records biggest first, frames as <c>function (file.c:LINE)</c>, then a LEAK SUMMARY.</summary>
public static class TextReportWriter
{
    public static string KindText(LeakKind kind) => kind switch
    {
        LeakKind.DefinitelyLost => "definitely lost",
        LeakKind.IndirectlyLost => "indirectly lost",
        LeakKind.PossiblyLost => "possibly lost",
        _ => "still reachable",
    };

    private const string Reset = "\u001b[0m", Bold = "\u001b[1m";

    /// <summary>--color: the kind of a loss record (definitely lost bold red, indirectly red, possibly magenta,
    /// reachable green); the C plain report uses the same codes.</summary>
    private static string KindColor(LeakKind kind) => kind switch
    {
        LeakKind.DefinitelyLost => "\u001b[1;31m",
        LeakKind.IndirectlyLost => "\u001b[31m",
        LeakKind.PossiblyLost => "\u001b[35m",
        _ => "\u001b[32m",
    };

    public static string Format(ReportBuilder report)
    {
        var sb = new StringBuilder();
        string prefix = "==" + report.Pid.ToString(CultureInfo.InvariantCulture) + "== ";
        bool quiet = (report.Flags & ReportFlags.Quiet) != 0, color = (report.Flags & ReportFlags.Color) != 0;
        if (!quiet)
            sb.Append(prefix).Append("Invisible leak report for ").Append(report.Command).Append('\n');
        bool showReachable = (report.ShowKinds & (1u << (int)LeakKind.StillReachable)) != 0;
        int total = 0;
        foreach (var r in report.Records)
            if (report.IsListed(r))
                total++;
        int number = 0;
        foreach (var r in report.Records)
        {
            LeakRecord rec = r.Record;
            if (!report.IsListed(r))
                continue;
            number++;
            sb.Append(prefix).Append('\n');
            sb.Append(prefix);
            if (rec.Kind == LeakKind.DefinitelyLost && rec.IndirectBytes > 0)
                sb.Append(Grouped(rec.Bytes + rec.IndirectBytes)).Append(" (").Append(Grouped(rec.Bytes))
                  .Append(" direct, ").Append(Grouped(rec.IndirectBytes)).Append(" indirect) bytes");
            else
                sb.Append(Grouped(rec.Bytes)).Append(" bytes");
            sb.Append(" in ").Append(Grouped(rec.Blocks)).Append(" blocks are ")
              .Append(color ? KindColor(rec.Kind) + KindText(rec.Kind) + Reset : KindText(rec.Kind))
              .Append(" in loss record ").Append(number).Append(" of ").Append(total).Append('\n');
            for (int f = 0; f < r.Frames.Length; f++)
                sb.Append(prefix).Append(f == 0 ? "   at " : "   by ").Append(FormatFrame(r.Frames[f])).Append('\n');
            if (r.Type is not null)
                sb.Append(prefix).Append("   type: ").Append(r.Type).Append('\n');
            if (report.GenSuppressions)
                AppendSuppressionBlock(sb, r);
        }
        if (quiet)
            return sb.ToString(); // --quiet: the listed records only, nothing when there is none
        if (report.SuppressionsUsed.Count > 0)
        {
            // LeakSanitizer's table: count (blocks), bytes, and the pattern or block name.
            sb.Append(prefix).Append('\n');
            sb.Append(prefix).Append("Suppressions used:\n");
            sb.Append(prefix).Append("  count      bytes template\n");
            foreach (SuppressionUse use in report.SuppressionsUsed)
                sb.Append(prefix).Append(use.Blocks.ToString(CultureInfo.InvariantCulture).PadLeft(7)).Append(' ')
                  .Append(use.Bytes.ToString(CultureInfo.InvariantCulture).PadLeft(10)).Append(' ').Append(use.Name).Append('\n');
        }
        sb.Append(prefix).Append('\n');
        sb.Append(prefix).Append(color ? Bold + "LEAK SUMMARY:" + Reset : "LEAK SUMMARY:").Append('\n');
        AppendSummaryLine(sb, prefix, "   definitely lost: ", report, LeakKind.DefinitelyLost);
        AppendSummaryLine(sb, prefix, "   indirectly lost: ", report, LeakKind.IndirectlyLost);
        AppendSummaryLine(sb, prefix, "     possibly lost: ", report, LeakKind.PossiblyLost);
        AppendSummaryLine(sb, prefix, "   still reachable: ", report, LeakKind.StillReachable);
        if (report.SuppressionsInUse)
            sb.Append(prefix).Append("        suppressed: ").Append(Grouped(report.SuppressedBytes)).Append(" bytes in ")
              .Append(Grouped(report.SuppressedBlocks)).Append(" blocks\n");
        if (!showReachable && report.Blocks[(int)LeakKind.StillReachable] > 0)
            sb.Append(prefix).Append("Reachable blocks are not shown; to see them, rerun with: --show-reachable=yes\n");
        sb.Append(prefix).Append("Scan: ").Append(Grouped(report.ScannedRootBytes)).Append(" bytes of roots, ")
          .Append(report.ThreadsStopped).Append(" other threads stopped, ")
          .Append(report.ScanMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms\n");
        return sb.ToString();
    }

    private static readonly string[] KindWords = { "reachable", "definite", "indirect", "possible" };

    /// <summary>valgrind's --gen-suppressions block for a record, unprefixed as valgrind prints it: one frame line
    /// per frame (inlined ones included), <c>fun:</c> its function, or <c>obj:</c> its object when unnamed.
    /// Fed back as a suppression file it suppresses exactly this record's trace.</summary>
    private static void AppendSuppressionBlock(StringBuilder sb, SymbolizedRecord r)
    {
        sb.Append("{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n   match-leak-kinds: ")
          .Append(KindWords[(int)r.Record.Kind]).Append('\n');
        foreach (SourceFrame f in r.Frames)
        {
            if (f.Function is not null)
                sb.Append("   fun:").Append(f.Function).Append('\n');
            else
                sb.Append("   obj:").Append(f.Module.Length > 0 ? f.Module : "*").Append('\n');
        }
        sb.Append("}\n");
    }

    private static void AppendSummaryLine(StringBuilder sb, string prefix, string label, ReportBuilder report, LeakKind kind)
    {
        sb.Append(prefix).Append(label).Append(Grouped(report.Bytes[(int)kind])).Append(" bytes in ")
          .Append(Grouped(report.Blocks[(int)kind])).Append(" blocks\n");
    }

    public static string FormatFrame(SourceFrame frame)
    {
        var sb = new StringBuilder();
        sb.Append("0x").Append(frame.Address.ToString("X", CultureInfo.InvariantCulture)).Append(": ");
        sb.Append(frame.Function ?? "???");
        if (frame.IsInlined)
            sb.Append(" [inlined]");
        if (frame.File is not null && frame.Line > 0)
            sb.Append(" (").Append(Path.GetFileName(frame.File)).Append(':').Append(frame.Line).Append(')');
        else if (frame.Module.Length > 0)
            sb.Append(" (in ").Append(frame.Module).Append(')');
        return sb.ToString();
    }

    public static string Grouped(ulong value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
