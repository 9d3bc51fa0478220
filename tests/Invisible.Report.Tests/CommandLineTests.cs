using System.IO;
using Xunit;

namespace Invisible.Report.Tests;

/// <summary>Bad input to <c>invisible report</c> (one line, exit status 2, never a crash) and the help texts.</summary>
public sealed class CommandLineTests
{
    private static (int, string, string) Report(string content, params string[] more)
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            string path = Path.Combine(dir, "r.json");
            File.WriteAllText(path, content);
            var args = new System.Collections.Generic.List<string> { "report", path };
            args.AddRange(more);
            var r = ReportEnvironment.Invisible(args.ToArray());
            return (r.ExitCode, r.Stdout, r.Stderr.Replace(path, "R"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void NotJson()
    {
        Assert.Equal((2, "", "invisible: R: not a JSON report: 'h' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.\n"),
                     Report("hello"));
    }

    [Fact]
    public void Truncated()
    {
        string whole = File.ReadAllText(ReportEnvironment.Fixture("profile.json"));
        var (code, stdout, stderr) = Report(whole.Substring(0, whole.Length / 2));
        Assert.Equal((2, ""), (code, stdout));
        Assert.StartsWith("invisible: R: not a JSON report (truncated?): ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void WrongVersion()
    {
        Assert.Equal((2, "", "invisible: R: JSON report version 7 is not supported (this invisible reads version 1)\n"),
                     Report("{\"version\": 7, \"pid\": 1, \"command\": \"x\"}"));
    }

    [Fact]
    public void JsonButNotAReport()
    {
        Assert.Equal((2, "", "invisible: R: not an Invisible JSON report (no \"pid\" and \"command\")\n"), Report("[1, 2]".Replace("[1, 2]", "{\"a\": 1}")));
        Assert.Equal((2, "", "invisible: R: not an Invisible JSON report: \"bytes\" is not a number\n"),
                     Report("{\"pid\": 1, \"command\": \"x\", \"leaks\": {\"records\": [{\"bytes\": \"many\"}]}}"));
    }

    [Fact]
    public void UnknownFormat()
    {
        Assert.Equal((2, "", "invisible: report: unknown format 'svg' (formats: text, pprof, collapsed, speedscope, html)\n"),
                     Report("{\"pid\": 1, \"command\": \"x\"}", "--format", "svg"));
    }

    [Fact]
    public void MissingFileAndUnknownOption()
    {
        var missing = ReportEnvironment.Invisible("report", "/no/such/report.json");
        Assert.Equal((2, ""), (missing.ExitCode, missing.Stdout));
        Assert.Equal("invisible: report: cannot read /no/such/report.json: No such file or directory\n", missing.Stderr);
        var option = ReportEnvironment.Invisible("report", "--colour", "x.json");
        Assert.Equal(2, option.ExitCode);
        Assert.StartsWith("invisible: report: unknown option '--colour'\nusage: invisible report FILE", option.Stderr);
    }

    [Fact]
    public void HelpListsEveryCommandWithOneLine()
    {
        var r = ReportEnvironment.Invisible("--help");
        Assert.Equal((0, ""), (r.ExitCode, r.Stderr));
        foreach (string command in new[] { "run", "attach", "census", "python", "report", "snapshot", "diff" })
            Assert.Matches(@"\n  " + command + @" +\S.*\n", r.Stdout);
    }

    [Theory]
    [InlineData("run", "usage: invisible run [options] [--] PROGRAM [ARGS...]\n")]
    [InlineData("attach", "usage: invisible attach PID")]
    [InlineData("census", "usage: invisible census [--json FILE] [--report] PID\n")]
    [InlineData("python", "usage: invisible python [-c CODE | SCRIPT [ARGS...]]\n")]
    [InlineData("report", "usage: invisible report FILE [--format F] [-o OUT]\n")]
    [InlineData("snapshot", "usage: invisible snapshot PID -o FILE\n")]
    [InlineData("diff", "usage: invisible diff A.json B.json\n")]
    public void EachCommandHasItsHelp(string command, string firstLine)
    {
        var r = ReportEnvironment.Invisible(command, "--help");
        Assert.Equal((0, ""), (r.ExitCode, r.Stderr));
        Assert.StartsWith(firstLine, r.Stdout);
        Assert.Equal(r.Stdout, ReportEnvironment.Invisible("help", command).Stdout);
    }

    [Fact]
    public void UnknownCommandOrOptionIsExitStatus2()
    {
        var command = ReportEnvironment.Invisible("frobnicate");
        Assert.Equal((2, ""), (command.ExitCode, command.Stdout));
        Assert.StartsWith("invisible: unknown command 'frobnicate'\nusage: invisible COMMAND", command.Stderr);
        var option = ReportEnvironment.Invisible("--frobnicate");
        Assert.Equal(2, option.ExitCode);
        Assert.StartsWith("invisible: unknown option '--frobnicate'\n", option.Stderr);
    }
}
