using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary><c>invisible attach PID -c CODE | SCRIPT | -</c> against a running preloaded program.</summary>
public sealed class AttachCommandTests
{
    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void PrintsInsideTheProgramWhichGoesOnUnharmed(string opt)
    {
        using var target = new AttachTarget(opt);
        var run = target.Attach("-c", "print(6*7)");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("42\n", run.Stdout);
        Assert.Equal("", run.Stderr);
        target.Echo("after the session");
        target.FinishAndCheck();
    }

    [Fact]
    public void SyntaxErrorIsCPythonStyleAndTheTargetSurvives()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "def f(:");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal("  File \"<string>\", line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax\n", run.Stderr);
        target.Echo("still here");
        target.FinishAndCheck();
    }

    [Fact]
    public void ExceptionsArePrintedAsTracebacksWithStatusOne()
    {
        using var target = new AttachTarget();
        var version = target.Attach("-c", "import sys; print(sys.version_info[:2]); print(2**100 + 1)");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal("(3, 11)\n1267650600228229401496703205377\n", version.Stdout);

        var raised = target.Attach("-c", "def f(x):\n    return 1 / x\nprint('before')\nf(0)");
        Assert.Equal(1, raised.ExitCode);
        Assert.Equal("before\n", raised.Stdout);
        Assert.StartsWith("Traceback (most recent call last):\n", raised.Stderr);
        Assert.Contains("  File \"<string>\", line 4, in <module>\n", raised.Stderr);
        Assert.Contains("  File \"<string>\", line 2, in f\n", raised.Stderr);
        Assert.EndsWith("ZeroDivisionError: division by zero\n", raised.Stderr);
        target.Echo("x");
        target.FinishAndCheck();
    }

    [Fact]
    public void ConsecutiveSessionsEachGetAFreshInterpreter()
    {
        using var target = new AttachTarget();
        var first = target.Attach("-c", "x = 'one'; print(x)");
        Assert.Equal((0, "one\n"), (first.ExitCode, first.Stdout));
        target.Echo("between");
        var second = target.Attach("-c", "print('x' in globals(), 'two')");
        Assert.Equal((0, "False two\n"), (second.ExitCode, second.Stdout));
        // exit() and sys.exit end the session, never the program.
        Assert.Equal(3, target.Attach("-c", "import sys; sys.exit(3)").ExitCode);
        Assert.Equal(0, target.Attach("-c", "exit()").ExitCode);
        var message = target.Attach("-c", "raise SystemExit('bye')");
        Assert.Equal((1, "bye\n"), (message.ExitCode, message.Stderr));
        target.Echo("after");
        target.FinishAndCheck();
    }

    [Fact]
    public void ScriptFileWithArgumentsAndProgramOnStdin()
    {
        using var target = new AttachTarget();
        string script = Path.Combine(Path.GetTempPath(), "invisible-attach-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(script, "import sys\nprint(sys.argv[1:])\nprint(sum(range(10)))\n");
        try
        {
            var run = target.Attach(script, "a", "b");
            Assert.Equal((0, "['a', 'b']\n45\n", ""), (run.ExitCode, run.Stdout, run.Stderr));
        }
        finally
        {
            File.Delete(script);
        }
        var piped = target.AttachWithInput("print('from stdin', 1 + 1)\n");
        Assert.Equal((0, "from stdin 2\n"), (piped.ExitCode, piped.Stdout));
        var dash = target.AttachWithInput("print('dash')\n", "-");
        Assert.Equal((0, "dash\n"), (dash.ExitCode, dash.Stdout));
        target.FinishAndCheck();
    }

    [Fact]
    public void InputReadsTheClientsStdinNotTheProgramsStdin()
    {
        using var target = new AttachTarget();
        var run = target.AttachWithInput("bob\n", "-c", "print(input('name? ').upper())\ntry:\n    input()\nexcept EOFError:\n    print('eof')");
        Assert.Equal((0, "name? BOB\neof\n", ""), (run.ExitCode, run.Stdout, run.Stderr));
        target.Echo("mine");
        target.FinishAndCheck();
    }

    [Fact]
    public void LargeOutputArrivesWhole()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "for i in range(20000):\n    print(i)");
        Assert.Equal(0, run.ExitCode);
        string[] lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(20000, lines.Length);
        Assert.Equal("19999", lines[^1]);
        target.FinishAndCheck();
    }

    [Fact]
    public void ProgramSignalDispositionsAreRestoredAfterASession()
    {
        using var target = new AttachTarget();
        // The program's own dispositions (whatever it inherited) before anything of ours started.
        ulong ignored = target.StatusMask("SigIgn"), caught = target.StatusMask("SigCgt");
        const ulong Segv = 1ul << 10, Pipe = 1ul << 12;
        Assert.Equal(0ul, caught & Segv);
        Assert.Equal(0ul, ignored & Pipe); // the fixture restores the default action
        Assert.Equal(0, target.Attach("-c", "pass").ExitCode); // starts the listener and the runtime
        Assert.Equal(ignored, target.StatusMask("SigIgn"));
        Assert.Equal(caught & 0xffffffff, target.StatusMask("SigCgt") & 0xffffffff); // 1..32 (not the runtime's real-time signal)
        // Inside a session the runtime's fault handlers are in place (a managed null reference is an
        // exception, not a crash), and SIGPIPE stays the program's.
        var inside = target.Attach("-c", "for l in open('/proc/self/status').read().split('\\n'):\n    if l.startswith('SigCgt') or l.startswith('SigIgn'):\n        print(int(l.split()[1], 16))");
        string[] masks = inside.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, masks.Length);
        Assert.Equal(ignored & Pipe, ulong.Parse(masks[0]) & Pipe);
        Assert.NotEqual(0ul, ulong.Parse(masks[1]) & Segv);
        Assert.Equal(ignored, target.StatusMask("SigIgn"));
        Assert.Equal(caught & 0xffffffff, target.StatusMask("SigCgt") & 0xffffffff);
        target.FinishAndCheck();
    }

    [Fact]
    public void CensusStillWorksAfterASession()
    {
        using var target = new AttachTarget();
        Assert.Equal(0, target.Attach("-c", "pass").ExitCode);
        var census = AttachTarget.Run(AttachTarget.Cli, new[] { "census", target.Pid.ToString() });
        Assert.True(census.ExitCode == 0, census.Stderr);
        Assert.Contains("struct node", census.Stdout);
        Assert.Equal((0, "ok\n"), (target.Attach("-c", "print('ok')").ExitCode, target.Attach("-c", "print('ok')").Stdout));
        target.FinishAndCheck();
    }

    [Fact]
    public void TargetExitingDuringTheSessionIsAClearError()
    {
        using var target = new AttachTarget();
        using var cli = Process.Start(AttachTarget.StartInfo(AttachTarget.Cli,
            new[] { "attach", target.Pid.ToString(), "-c", "import time\nprint('started', flush=True)\nwhile True:\n    time.sleep(0.02)" }, null))!;
        Assert.Equal("started", cli.StandardOutput.ReadLine());
        target.Kill();
        Assert.True(cli.WaitForExit(30_000));
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal("invisible: process " + target.Pid + " exited during the session\n", cli.StandardError.ReadToEnd());
    }

    [Fact]
    public void DeadProcessIsAClearError()
    {
        using Process p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        var run = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", p.Id.ToString(), "-c", "print(1)" });
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("invisible: no process " + p.Id + "\n", run.Stderr);
    }

    [Fact]
    public void AStoppedProcessIsAClearErrorNotAHang()
    {
        // A SIGSTOPped target cannot serve a request (its listener is stopped too): say so at once, and leave it
        // stopped (resuming it is the user's decision).
        using var target = new AttachTarget();
        Process.Start("kill", new[] { "-STOP", target.Pid.ToString() })!.WaitForExit();
        for (int i = 0; i < 100 && !File.ReadAllText("/proc/" + target.Pid + "/status").Contains("State:\tT"); i++) Thread.Sleep(10);
        string expected = "invisible: process " + target.Pid + " is stopped (by a signal); resume it first (kill -CONT " + target.Pid + ")\n";
        var census = AttachTarget.Run(AttachTarget.Cli, new[] { "census", target.Pid.ToString() });
        Assert.Equal((2, expected), (census.ExitCode, census.Stderr));
        var session = target.Attach("-c", "print(1)");
        Assert.Equal((2, expected), (session.ExitCode, session.Stderr));
        Assert.Contains("State:\tT", File.ReadAllText("/proc/" + target.Pid + "/status"));
        Process.Start("kill", new[] { "-CONT", target.Pid.ToString() })!.WaitForExit();
        target.Echo("resumed");
        target.FinishAndCheck();
    }

    [Fact]
    public void ProcessWithoutLibinvisibleIsInjected()
    {
        using Process p = Process.Start(AttachTarget.StartInfo("sleep", new[] { "30" }, null))!;
        try
        {
            var run = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", p.Id.ToString(), "-c", "print(1)" });
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("1\n", run.Stdout);
            Assert.False(p.HasExited);
        }
        finally
        {
            p.Kill();
        }
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        Assert.Equal(2, AttachTarget.Run(AttachTarget.Cli, new[] { "attach" }).ExitCode);
        Assert.Equal(2, AttachTarget.Run(AttachTarget.Cli, new[] { "attach", "abc" }).ExitCode);
        Assert.Equal(2, AttachTarget.Run(AttachTarget.Cli, new[] { "attach", "1", "--frob" }).ExitCode);
        Assert.Equal(2, AttachTarget.Run(AttachTarget.Cli, new[] { "attach", "1", "-c" }).ExitCode);
    }

    /// <summary>The native bridge (DwarfPython, interp/Invisible.DwarfPython) in a session describes the
    /// program itself: globals, the heap list, a call of its static function, a write it then sees.</summary>
    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void SessionSeesAndChangesTheProgramsData(string opt)
    {
        using var target = new AttachTarget(opt);
        target.Echo("one"); // attach_counter 42 -> 43
        var run = target.Attach("-c",
            "import process\n" +
            "m = process.main\n" +
            "print(m.attach_counter, hex(m.attach_magic), m.attach_ratio, m.attach_name)\n" +
            "n, values = m.attach_list, []\n" +
            "while n:\n" +
            "    values.append(n.value)\n" +
            "    n = n.next\n" +
            "print(values)\n" +
            "print(m.list_sum(m.attach_list))\n" +
            "m.attach_counter = 1000\n");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("43 0x1234abcd 2.5 attach-target\n[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]\n55\n", run.Stdout);
        // The program sees the write: its own counter goes on from 1000 (FinishAndCheck expects 42 + echoes).
        target.Echo("two");
        var after = target.Attach("-c", "import process; print(process.main.attach_counter)");
        Assert.Equal("1001\n", after.Stdout);
        var error = target.Attach("-c", "import process; process.main.no_such_global");
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("Traceback (most recent call last):", error.Stderr);
        target.Kill();
    }
}
