using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Report.Tests;

public static class ReportEnvironment
{
    public static string Cli => Path.Combine(TestProcess.Root, "build", "bin", "invisible");

    /// <summary>A file of this project's fixtures/ folder.</summary>
    public static string Fixture(string name) => Path.Combine(TestProcess.Root, "tests", "Invisible.Report.Tests", "fixtures", name);

    public static string Program(string name) => Path.Combine(TestProcess.Root, "build", "tests", "fixtures", name);

    public static (int ExitCode, string Stdout, string Stderr) Invisible(params string[] args) => TestProcess.Run(Cli, args);

    /// <summary>A fresh temporary directory, removed by the caller.</summary>
    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "invisible-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The full path of TOOL on PATH (or in Debian's golang directory), or null.</summary>
    public static string? Tool(string tool)
    {
        var dirs = new List<string>((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'));
        dirs.Add("/usr/lib/go/bin");
        foreach (string d in dirs)
        {
            if (d.Length == 0) continue;
            string p = Path.Combine(d, tool);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}

/// <summary>A test that needs TOOL (a real consumer of a format): skipped, with the reason, when it is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package)
    {
        if (ReportEnvironment.Tool(tool) is null)
            Skip = "needs " + tool + " (Debian package " + package + ", installed by scripts/build)";
    }
}
