using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Report.Tests;

/// <summary><c>--format html</c>: one self-contained file, rendered by headless Chromium (Debian's chromium), and
/// the page it draws.</summary>
public sealed class HtmlTests
{
    private static string Html(string dir, string report)
    {
        string path = Path.Combine(dir, report + ".html");
        var r = ReportEnvironment.Invisible("report", ReportEnvironment.Fixture(report), "--format", "html", "-o", path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return path;
    }

    private static string Render(string dir, string html)
    {
        var env = new Dictionary<string, string> { ["HOME"] = dir };
        var r = TestProcess.Run(ReportEnvironment.Tool("chromium")!, new[] {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + Path.Combine(dir, "profile"),
            "--dump-dom", "file://" + html }, env);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public void ThePageIsSelfContained()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            string page = File.ReadAllText(Html(dir, "profile.json"));
            // Nothing is fetched: no src/href attributes, no URL but the SVG namespace; the CSP says so too.
            Assert.DoesNotMatch(new Regex(@"\b(src|href)\s*="), page);
            foreach (Match m in Regex.Matches(page, @"https?://[^""' ]+"))
                Assert.Equal("http://www.w3.org/2000/svg", m.Value);
            Assert.Contains("default-src 'none'", page);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [ToolFact("chromium", "chromium")]
    public void ChromiumRendersSummaryFlameGraphsCensusLeaksAndTimeline()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            string dom = Render(dir, Html(dir, "profile.json"));
            Assert.Contains("data-rendered=\"yes\"", dom);
            Assert.Contains("invisible report: ./shop 3 (pid 4242)", dom);
            Assert.Contains("<td class=\"num\" data-key=\"bytes allocated\">64,000</td>", dom);
            Assert.Contains("<td class=\"num\" data-key=\"heap peak\">40,000 bytes at 12.5 ms</td>", dom);
            Assert.Contains("<td class=\"num\" data-key=\"definitely lost\">24 bytes in 1 blocks</td>", dom);
            // Three flame graphs; the allocations one has a rect per distinct frame path: all, main, add_item,
            // print_receipt, format_line (inlined), place_order, ?? 0x... (in libcart.so), std::vector<...>::push_back.
            Assert.Contains("Flame graph: bytes allocated (64,000 bytes)", dom);
            Assert.Contains("Flame graph: live bytes at the heap's peak (40,000 bytes)", dom);
            Assert.Contains("Flame graph: live bytes at exit (16,224 bytes)", dom);
            string allocated = Section(dom, "flame-allocated");
            Assert.Equal(8, Regex.Matches(allocated, "<rect ").Count);
            Assert.Contains("data-name=\"add_item\" data-value=\"14400\"", allocated);
            Assert.Contains("data-name=\"format_line (inlined)\" data-value=\"36000\"", allocated);
            Assert.Contains("data-name=\"std::vector&lt;int, std::allocator&lt;int&gt; &gt;::push_back(int const&amp;)\" data-value=\"13312\"", allocated);
            // Census bars, leak table, timeline with its peak.
            Assert.Contains("data-type=\"struct item\" data-bytes=\"14400\"", dom);
            Assert.Contains("data-type=\"char[]\" data-bytes=\"350\"", dom);
            Assert.Contains("<td>struct order</td>", dom);
            Assert.Contains("place_order (shop.c:47)\nmain (shop.c:69)", dom);
            Assert.Contains("data-points=\"4\"", dom);
            Assert.Contains("id=\"peak-marker\"", dom);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [ToolFact("chromium", "chromium")]
    public void AReportWithoutProfileOrCensusSaysWhatIsMissing()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            string json = Path.Combine(dir, "plain.json");
            File.WriteAllText(json, "{\"pid\": 7, \"command\": \"./x\", \"leaks\": {\"definitely_lost\": {\"blocks\": 0, \"bytes\": 0}, \"records\": []}}");
            var r = ReportEnvironment.Invisible("report", json, "--format", "html", "-o", Path.Combine(dir, "plain.html"));
            Assert.True(r.ExitCode == 0, r.Stderr);
            string dom = Render(dir, Path.Combine(dir, "plain.html"));
            Assert.Contains("data-rendered=\"yes\"", dom);
            Assert.Contains("no census in this report (run with --census)", dom);
            Assert.Contains("no timeline in this report (run with --profile)", dom);
            Assert.Contains("no loss records", dom);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string Section(string dom, string id)
    {
        int start = dom.IndexOf("id=\"" + id + "\"", System.StringComparison.Ordinal);
        Assert.True(start >= 0, id + " not in the page");
        int end = dom.IndexOf("</svg>", start, System.StringComparison.Ordinal);
        return dom.Substring(start, end - start);
    }
}
