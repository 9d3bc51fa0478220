using System;
using System.IO;

namespace Invisible.Cli.Report;

/// <summary>
/// <c>invisible report FILE [--format F] [-o OUT]</c>: converts a saved JSON report (<c>--json</c>) to a format
/// people look at or tools ingest. Each format is one class in this folder; all read <see cref="ReportDocument"/>.
/// </summary>
public static class ReportCommand
{
    private const int ExitUsage = 2;

    public const string Help =
        "usage: invisible report FILE [--format F] [-o OUT]\n" +
        "Convert a saved JSON report (invisible run --json FILE) to another format.\n" +
        "  --format F, -f F   text (default): most allocations, most temporary, peak consumers, leaks\n" +
        "                     pprof: gzipped profile.proto (go tool pprof, Pyroscope, Parca, Grafana)\n" +
        "                     collapsed: flamegraph.pl lines, root first, bytes\n" +
        "                     speedscope: speedscope's JSON file format\n" +
        "                     html: one self-contained page (flame graphs, census, leaks, timeline)\n" +
        "  -o OUT             write to OUT instead of standard output\n" +
        "Bad input (not JSON, truncated, another version) is one line on stderr and exit status 2.\n";

    private static readonly string[] Formats = { "text", "pprof", "collapsed", "speedscope", "html" };

    public static int Execute(ReadOnlySpan<string> args)
    {
        string? file = null, output = null, format = "text";
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--help" || a == "-h") { Console.Out.Write(Help); return 0; }
            else if ((a == "--format" || a == "-f") && i + 1 < args.Length) format = args[++i];
            else if (a.StartsWith("--format=", StringComparison.Ordinal)) format = a.Substring(9);
            else if ((a == "-o" || a == "--output") && i + 1 < args.Length) output = args[++i];
            else if (a.StartsWith("--output=", StringComparison.Ordinal)) output = a.Substring(9);
            else if (a.StartsWith('-') && a != "-") return Fail("report: unknown option '" + a + "'", true);
            else if (file is null) file = a;
            else return Fail("report: unexpected argument '" + a + "'", true);
        }
        if (file is null) return Fail("report: no report file given", true);
        if (Array.IndexOf(Formats, format) < 0)
            return Fail("report: unknown format '" + format + "' (formats: " + string.Join(", ", Formats) + ")", false);

        byte[] bytes;
        try
        {
            bytes = file == "-" ? ReadAll(Console.OpenStandardInput()) : File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Fail("report: cannot read " + file + ": No such file or directory", false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail("report: cannot read " + file + ": " + e.Message, false);
        }

        byte[] result;
        try
        {
            ReportDocument report = ReportDocument.Parse(bytes, file == "-" ? "<stdin>" : file);
            result = format switch
            {
                "text" => TextFormat.Write(report),
                "pprof" => PprofFormat.Write(report),
                "collapsed" => CollapsedFormat.Write(report),
                "speedscope" => SpeedscopeFormat.Write(report),
                _ => HtmlFormat.Write(report),
            };
        }
        catch (ReportFormatException e)
        {
            return Fail(e.Message, false);
        }

        if (output is null)
        {
            if (format == "pprof" && !Console.IsOutputRedirected)
                return Fail("report: pprof is binary: give -o FILE or redirect standard output", false);
            using Stream stdout = Console.OpenStandardOutput();
            stdout.Write(result);
            return 0;
        }
        try
        {
            File.WriteAllBytes(output, result);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail("report: cannot write " + output + ": " + e.Message, false);
        }
        return 0;
    }

    private static byte[] ReadAll(Stream s)
    {
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static int Fail(string message, bool usage)
    {
        Console.Error.WriteLine("invisible: " + message);
        if (usage) Console.Error.Write(Help);
        return ExitUsage;
    }
}
