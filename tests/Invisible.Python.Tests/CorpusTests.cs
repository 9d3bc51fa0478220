using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Invisible.Python.Tests;

/// <summary>Locations and process helpers shared by the tests.</summary>
public static class Paths
{
    public static string RepoRoot
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "Invisible.sln"))) d = d.Parent;
            return d?.FullName ?? throw new InvalidOperationException("repo root not found");
        }
    }
    public static string Corpus => Path.Combine(RepoRoot, "tests", "python");

    public static (string Stdout, string Stderr, int Exit) RunProcess(string exe, IEnumerable<string> args, string cwd, string? stdin = null, int timeoutMs = 60000)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONHASHSEED"] = "0";
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin ?? "");
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); throw new TimeoutException($"{exe} timed out"); }
        return (so.Result, se.Result, p.ExitCode);
    }

    /// <summary>Run a program with our interpreter in-process (JIT), capturing output.</summary>
    public static (string Stdout, string Stderr, int Exit) RunOurs(string[] args, string cwd, string stdin = "", int timeoutMs = 60000)
    {
        Console.SetIn(new StringReader(stdin));
        var o = new StringWriter();
        var e = new StringWriter();
        var old = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(cwd);
        try
        {
            var t = Task.Run(() => PythonMain.Run(args, o, e));
            if (!t.Wait(timeoutMs)) throw new TimeoutException("interpreter timed out");
            return (o.ToString(), e.ToString(), t.Result);
        }
        finally { Directory.SetCurrentDirectory(old); }
    }
}

public class CorpusTests
{
    public static IEnumerable<object[]> Programs()
    {
        var root = Paths.Corpus;
        var files = new List<string>();
        foreach (var f in Directory.EnumerateFiles(root, "*.py", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, f);
            if (Path.GetFileName(rel).StartsWith("mod_", StringComparison.Ordinal) || rel.Split(Path.DirectorySeparatorChar).Length > 2 && rel.Split(Path.DirectorySeparatorChar)[^2].StartsWith("pkg_", StringComparison.Ordinal)) continue;
            files.Add(rel);
        }
        files.Sort(StringComparer.Ordinal);
        foreach (var f in files) yield return new object[] { f };
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void MatchesCPython(string program)
    {
        var path = Path.Combine(Paths.Corpus, program);
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        var stdinFile = Path.ChangeExtension(path, ".stdin");
        var expected = Paths.RunProcess("python3", new[] { name }, dir, File.Exists(stdinFile) ? File.ReadAllText(stdinFile) : null);
        var actual = Paths.RunOurs(new[] { name }, dir, File.Exists(stdinFile) ? File.ReadAllText(stdinFile) : "");
        Assert.True(expected.Stdout == actual.Stdout,
            $"stdout differs for {program}\n--- CPython ---\n{expected.Stdout}\n--- ours ---\n{actual.Stdout}\n--- our stderr ---\n{actual.Stderr}");
        Assert.Equal(expected.Exit, actual.Exit);
        if (expected.Exit != 0 && expected.Stderr.Length > 0)
        {
            // the last line of an uncaught exception (type and message) must match
            var lastExp = expected.Stderr.TrimEnd().Split('\n')[^1];
            var lastOurs = actual.Stderr.TrimEnd().Split('\n')[^1];
            Assert.Equal(lastExp, lastOurs);
        }
    }
}
