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

    /// <summary>CPython 3.11's result for a corpus program, as stored by scripts/python-expected.</summary>
    public sealed record Expected(int Exit, string? LastStderr, string Stdout)
    {
        public static Expected Load(string program)
        {
            string file = Path.ChangeExtension(Path.Combine(Paths.Corpus, program), ".expected");
            Assert.True(File.Exists(file), "no stored CPython output for " + program + ": run scripts/python-expected " + Path.Combine("tests", "python", program));
            string text = File.ReadAllText(file);
            int separator = text.IndexOf("---\n", StringComparison.Ordinal);
            Assert.True(separator >= 0, file + ": no '---' line");
            int exit = -1;
            string? last = null;
            foreach (string line in text.Substring(0, separator).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("exit: ", StringComparison.Ordinal)) exit = int.Parse(line.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture);
                else if (line.StartsWith("last-stderr: ", StringComparison.Ordinal)) last = line.Substring(13);
            }
            Assert.True(exit >= 0, file + ": no exit line");
            return new Expected(exit, last, text.Substring(separator + 4));
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void MatchesCPython(string program)
    {
        var path = Path.Combine(Paths.Corpus, program);
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        var stdinFile = Path.ChangeExtension(path, ".stdin");
        var expected = Expected.Load(program);
        var actual = Paths.RunOurs(new[] { name }, dir, File.Exists(stdinFile) ? File.ReadAllText(stdinFile) : "");
        Assert.True(expected.Stdout == actual.Stdout,
            $"stdout differs for {program}\n--- CPython ---\n{expected.Stdout}\n--- ours ---\n{actual.Stdout}\n--- our stderr ---\n{actual.Stderr}");
        Assert.Equal(expected.Exit, actual.Exit);
        if (expected.Exit != 0 && expected.LastStderr is not null)
        {
            // the last line of an uncaught exception (type and message) must match
            var lastOurs = actual.Stderr.TrimEnd().Split('\n')[^1];
            Assert.Equal(expected.LastStderr, lastOurs);
        }
    }
}
