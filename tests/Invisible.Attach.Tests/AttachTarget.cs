using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>Build outputs and the running fixture: tests/fixtures/attach_target.c preloaded with libinvisible.so.</summary>
public sealed class AttachTarget : IDisposable
{
    public static readonly string Root = Invisible.Tests.Shared.TestProcess.Root;
    public static string Library => Path.Combine(Root, "build", "lib", "libinvisible.so");
    public static string Cli => Path.Combine(Root, "build", "bin", "invisible");
    public static string Fixture(string opt) => Path.Combine(Root, "build", "tests", "fixtures", "attach_target-" + opt);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly Task<string> _stderrTask;
    private readonly List<string> _echoed = new();

    public int Pid => _process.Id;

    public AttachTarget(string opt = "O0")
    {
        _process = Process.Start(StartInfo(Fixture(opt), Array.Empty<string>(), new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = Library,
            ["INVISIBLE_LEAK_CHECK"] = "no",
        }))!;
        _stderrTask = _process.StandardError.ReadToEndAsync();
        Assert.Equal("ready", ReadLine());
    }

    private string? ReadLine()
    {
        string? line = _process.StandardOutput.ReadLine();
        if (line is not null) _stdout.Append(line).Append('\n');
        return line;
    }

    /// <summary>The program still serves its own stdin and stdout.</summary>
    public void Echo(string text)
    {
        _process.StandardInput.WriteLine(text);
        _process.StandardInput.Flush();
        Assert.Equal("echo: " + text, ReadLine());
        _echoed.Add(text);
    }

    /// <summary>End of input: the program prints its summary and must exit 0 with exactly its own output.</summary>
    public void FinishAndCheck()
    {
        _process.StandardInput.Close();
        string rest = _process.StandardOutput.ReadToEnd();
        _stdout.Append(rest);
        Assert.True(_process.WaitForExit(30_000), "the target did not exit");
        Assert.Equal(0, _process.ExitCode);
        var expected = new StringBuilder("ready\n");
        foreach (string e in _echoed) expected.Append("echo: ").Append(e).Append('\n');
        expected.Append("sum: 55 counter: ").Append(42 + _echoed.Count).Append('\n');
        Assert.Equal(expected.ToString(), _stdout.ToString());
        Assert.Equal("", _stderrTask.Result);
    }

    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    /// <summary>One field of /proc/PID/status (SigIgn, SigCgt, ...) as a signal mask.</summary>
    public ulong StatusMask(string field)
    {
        foreach (string line in File.ReadAllLines("/proc/" + Pid + "/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return Convert.ToUInt64(line.Substring(field.Length + 1).Trim(), 16);
        throw new InvalidOperationException("no " + field);
    }

    // ---- running the CLI

    public (int ExitCode, string Stdout, string Stderr) Attach(params string[] args) => AttachWithInput(null, args);

    public (int ExitCode, string Stdout, string Stderr) AttachWithInput(string? stdin, params string[] args)
    {
        var all = new List<string> { "attach", Pid.ToString() };
        all.AddRange(args);
        return Run(Cli, all, stdin);
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? stdin = null,
                                                                   int timeoutMs = 60_000) =>
        Invisible.Tests.Shared.TestProcess.Run(file, args, null, stdin, timeoutMs);

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IDictionary<string, string>? env) =>
        Invisible.Tests.Shared.TestProcess.StartInfo(file, args, env);

}
