using System.Collections.Generic;
using System.Text;

namespace Invisible.Cli.Report;

/// <summary>flamegraph.pl's folded input: <c>root;caller;callee BYTES</c>, one line per distinct stack, sorted by
/// stack. Bytes allocated when the report has a profile, else bytes leaked (the leak records).</summary>
public static class CollapsedFormat
{
    public static byte[] Write(ReportDocument report)
    {
        var sums = new SortedDictionary<string, long>(System.StringComparer.Ordinal);
        foreach (StackSample s in report.Samples())
        {
            if (s.Bytes == 0) continue;
            string key = ReportDocument.Folded(s.Trace);
            sums[key] = sums.TryGetValue(key, out long v) ? v + s.Bytes : s.Bytes;
        }
        var sb = new StringBuilder();
        foreach (var (stack, bytes) in sums)
            sb.Append(stack).Append(' ').Append(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
