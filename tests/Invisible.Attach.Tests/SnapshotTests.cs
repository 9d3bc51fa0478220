using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary><c>invisible snapshot PID -o FILE</c>, <c>invisible diff A B</c> and <c>invisible run --snapshot-every</c>
/// on tests/fixtures/profile_pattern.c's <c>wait</c> mode: 5 blocks at wait_site, then 7 more, then a measured sleep.</summary>
public sealed class SnapshotTests
{
    private static string Fixture => Path.Combine(AttachTarget.Root, "build", "tests", "fixtures", "profile_pattern-O0");

    private static string Temp(string suffix) => Path.Combine(Path.GetTempPath(), "invisible-snapshot-" + Guid.NewGuid().ToString("N") + suffix);

    private static JsonElement WaitSite(JsonDocument report) =>
        report.RootElement.GetProperty("profile").GetProperty("sites").EnumerateArray()
              .Single(s => s.GetProperty("trace")[0].GetProperty("function").GetString() == "wait_site");

    private static (long Blocks, long Bytes) Live(string path)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement site = WaitSite(report);
        return (site.GetProperty("live_blocks").GetInt64(), site.GetProperty("live_bytes").GetInt64());
    }

    private static void Snapshot(int pid, string path)
    {
        var (exit, stdout, stderr) = AttachTarget.Run(AttachTarget.Cli, new[] { "snapshot", pid.ToString(), "-o", path });
        Assert.Equal((0, "", ""), (exit, stdout, stderr));
    }

    [Fact]
    public void SnapshotsOfARunningProcessDiffExactlyAndItsSleepIsNotShortened()
    {
        using Process target = Process.Start(AttachTarget.StartInfo(Fixture, new[] { "wait" }, new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = AttachTarget.Library,
            ["INVISIBLE_LEAK_CHECK"] = "no",
            ["INVISIBLE_PROFILE"] = "1",
        }))!;
        string a = Temp(".json"), b = Temp(".json"), c = Temp(".json");
        try
        {
            Assert.Equal("step 1", target.StandardOutput.ReadLine());
            Snapshot(target.Id, a);
            target.StandardInput.WriteLine();
            target.StandardInput.Flush();
            Assert.Equal("step 2", target.StandardOutput.ReadLine());
            Snapshot(target.Id, b);
            Assert.Equal((5L, 500L), Live(a));
            Assert.Equal((12L, 1200L), Live(b));

            var (exit, diff, stderr) = AttachTarget.Run(AttachTarget.Cli, new[] { "diff", a, b });
            Assert.Equal((0, ""), (exit, stderr));
            string[] lines = diff.Split('\n');
            Assert.Equal("growth by site (live bytes and blocks, profile):", lines[0]);
            Assert.Matches(new Regex(@"^ +\+700 bytes +\+7 blocks  wait_site \(profile_pattern\.c:\d+\)$"), lines[1]);
            int types = Array.IndexOf(lines, "growth by type (census):");
            Assert.True(types > 1, diff);
            Assert.Matches(new Regex(@"^ +\+700 bytes +\+7 blocks  "), lines[types + 1]);
            var (_, reverse, _) = AttachTarget.Run(AttachTarget.Cli, new[] { "diff", b, a });
            Assert.Contains(reverse.Split('\n'), l => Regex.IsMatch(l, @"^ +-700 bytes +-7 blocks  wait_site \(profile_pattern\.c:\d+\)$"));

            target.StandardInput.WriteLine();
            target.StandardInput.Flush();
            Assert.Equal("sleeping", target.StandardOutput.ReadLine());
            Snapshot(target.Id, c);
            string? slept = target.StandardOutput.ReadLine();
            Match m = Regex.Match(slept ?? "", @"^slept (\d+) ms rc 0$");
            Assert.True(m.Success, slept);
            Assert.True(long.Parse(m.Groups[1].Value) >= 1500, slept);
            Assert.Equal((12L, 1200L), Live(c));
            target.StandardInput.WriteLine();
            target.StandardInput.Flush();
            Assert.True(target.WaitForExit(30_000));
            Assert.Equal(0, target.ExitCode);
        }
        finally
        {
            if (!target.HasExited) target.Kill();
            foreach (string f in new[] { a, b, c }) File.Delete(f);
        }
    }

    [Fact]
    public void RunSnapshotEveryWritesNumberedSnapshotsBesideTheReport()
    {
        string directory = Temp("");
        Directory.CreateDirectory(directory);
        string report = Path.Combine(directory, "report.json");
        using Process target = Process.Start(AttachTarget.StartInfo(AttachTarget.Cli,
            new[] { "run", "--profile", "--leak-check=no", "--snapshot-every", "1", "--json", report, "--", Fixture, "wait" }, null))!;
        try
        {
            Assert.Equal("step 1", target.StandardOutput.ReadLine());
            string first = Path.Combine(directory, "report.snapshot-1.json");
            // A snapshot file appears whole (written beside, then renamed): wait for it, however long the machine takes.
            while (!File.Exists(first) && !target.HasExited)
                Thread.Sleep(50);
            Assert.Equal((5L, 500L), Live(first));
            target.StandardInput.Close(); // end of input: every line the fixture waits for
            Assert.True(target.WaitForExit(60_000));
            Assert.Equal(0, target.ExitCode);
            Assert.Equal((12L, 1200L), Live(report));
            string[] names = Directory.GetFiles(directory).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
            Assert.All(names, n => Assert.Matches(new Regex(@"^report(\.snapshot-\d+)?\.json$"), n));
        }
        finally
        {
            if (!target.HasExited) target.Kill();
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public void DiffRefusesWhatIsNotAReport()
    {
        string bad = Temp(".json");
        File.WriteAllText(bad, "not json");
        try
        {
            var (exit, stdout, stderr) = AttachTarget.Run(AttachTarget.Cli, new[] { "diff", bad, bad });
            Assert.Equal((2, ""), (exit, stdout));
            Assert.StartsWith("invisible: diff: " + bad + " is not valid JSON", stderr);
            (exit, _, stderr) = AttachTarget.Run(AttachTarget.Cli, new[] { "diff", bad });
            Assert.Equal((2, "invisible: usage: invisible diff A.json B.json\n"), (exit, stderr));
            (exit, _, stderr) = AttachTarget.Run(AttachTarget.Cli, new[] { "snapshot", "12x" });
            Assert.Equal((2, "invisible: usage: invisible snapshot PID -o FILE\n"), (exit, stderr));
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
