using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>
/// Who may talk to a listener, and whom the CLI talks to: no escalation through a process's saved uid, no
/// socket squatted by another user in the target's place. The listener accepts a peer exactly when the kernel
/// would let it ptrace the target; the CLI sends nothing before it checked that the listener is the target.
/// Other users are played by uid 65534 through setpriv(1).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ListenerSecurityTests : IDisposable
{
    private const string Nobody = "65534";
    private readonly Invisible.Tests.Shared.RunnableCopy _copy;
    private readonly List<Process> _started = new();

    public ListenerSecurityTests()
    {
        // Copies another user can execute and preload: the build's bin/, lib/ and libexec/, and the fixture.
        _copy = new Invisible.Tests.Shared.RunnableCopy(Path.Combine(AttachTarget.Root, "build"));
        PeerCopy = _copy.Add(Peer("O0"), "socket_peer");
    }

    /// <summary>The CLI and library copies other users can run.</summary>
    private string CliCopy => _copy.Cli;
    private string LibraryCopy => Path.Combine(_copy.Root, "lib", "libinvisible.so");

    public void Dispose()
    {
        foreach (Process p in _started)
        {
            try { if (!p.HasExited) p.Kill(); p.WaitForExit(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        _copy.Dispose();
    }

    private static string Peer(string opt) => Path.Combine(AttachTarget.Root, "build", "tests", "fixtures", "socket_peer-" + opt);
    private string PeerCopy { get; }

    private static string[] AsNobody(params string[] command)
    {
        var all = new List<string> { "--reuid=" + Nobody, "--regid=" + Nobody, "--clear-groups", "--" };
        all.AddRange(command);
        return all.ToArray();
    }

    private Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        Process p = Process.Start(AttachTarget.StartInfo(file, args, env))!;
        _started.Add(p);
        return p;
    }

    private Dictionary<string, string> Preloaded() => new()
    {
        ["LD_PRELOAD"] = LibraryCopy,
        ["INVISIBLE_LEAK_CHECK"] = "no",
    };

    private static string Ask(Process p, string line)
    {
        p.StandardInput.WriteLine(line);
        p.StandardInput.Flush();
        return p.StandardOutput.ReadLine() ?? "";
    }

    [RootFact]
    public void ARootServiceThatKeptSavedUidZeroRefusesItsNewUser()
    {
        // The service starts as root; root attaches once (the listener starts); then it runs as uid 65534 with
        // saved uid 0. The kernel refuses 65534 ptrace (saved uid 0, not dumpable): so must the listener.
        Process service = Start(Peer("O0"), new[] { "credentials" }, Preloaded());
        Assert.Equal("ready", service.StandardOutput.ReadLine());
        string pid = service.Id.ToString();
        var first = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", pid, "-c", "print('root was here')" });
        Assert.Equal((0, "root was here\n"), (first.ExitCode, first.Stdout));
        Assert.Equal("uids 65534 65534 0 gids 0 0 0 dumpable 0", Ask(service, "setresuid 65534 65534 0"));

        var direct = AttachTarget.Run("setpriv", AsNobody(PeerCopy, "connect", "invisible-" + pid, "python"));
        Assert.Equal(0, direct.ExitCode);
        Assert.Equal("error permission denied (the process's real, effective and saved user and group ids must all be yours)\n", direct.Stdout);

        var cli = AttachTarget.Run("setpriv", AsNobody(CliCopy, "attach", pid, "-c", "print(1)"));
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal("", cli.Stdout);
        Assert.StartsWith("invisible: permission denied", cli.Stderr);

        // Root may (CAP_SYS_PTRACE), as gdb -p may.
        var again = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", pid, "-c", "print('still root')" });
        Assert.Equal((0, "still root\n", ""), (again.ExitCode, again.Stdout, again.Stderr));
    }

    [RootFact]
    public void TheSameUserIsAcceptedAndAnotherUserIsNot()
    {
        // A process started as uid 65534 (dumpable, all ids 65534): 65534 may attach, 65533 may not.
        Process target = Start("setpriv", AsNobody(PeerCopy, "credentials"), Preloaded());
        Assert.Equal("ready", target.StandardOutput.ReadLine());
        Assert.Equal("uids 65534 65534 65534 gids 65534 65534 65534 dumpable 1", Ask(target, "report"));
        string pid = FindChild(target);
        var start = AttachTarget.Run(AttachTarget.Cli, new[] { "census", pid }); // root starts the listener
        Assert.True(start.ExitCode == 0, start.Stderr);

        var same = AttachTarget.Run("setpriv", AsNobody(PeerCopy, "connect", "invisible-" + pid, "ping\nquit"));
        Assert.Equal("ok invisible " + pid + "\nok\n", same.Stdout);
        var other = AttachTarget.Run("setpriv", new[] { "--reuid=65533", "--regid=65534", "--clear-groups", "--", PeerCopy, "connect", "invisible-" + pid, "ping" });
        Assert.Equal("error permission denied (the process's real, effective and saved user and group ids must all be yours)\n", other.Stdout);
        var otherGroup = AttachTarget.Run("setpriv", new[] { "--reuid=65534", "--regid=65533", "--clear-groups", "--", PeerCopy, "connect", "invisible-" + pid, "ping" });
        Assert.Equal("error permission denied (the process's real, effective and saved user and group ids must all be yours)\n", otherGroup.Stdout);
    }

    /// <summary>setpriv execs the program in place: the pid is the same process.</summary>
    private static string FindChild(Process p) => p.Id.ToString();

    [Fact]
    public void ASquatterOnTheSocketNameHearsNothingAndForgesNothing()
    {
        // Another process binds @invisible-PID before the target's listener exists (as another user would: the
        // abstract namespace has no owners). The CLI must not send it anything; the listener picks another name.
        using var target = new AttachTarget();
        Process squatter = Start(PeerCopy, new[] { "squat", "invisible-" + target.Pid });
        Assert.Equal("listening", squatter.StandardOutput.ReadLine());

        var census = AttachTarget.Run(AttachTarget.Cli, new[] { "census", target.Pid.ToString() });
        Assert.True(census.ExitCode == 0, census.Stderr);
        Assert.Contains("HEAP CENSUS:", census.Stdout);
        Assert.DoesNotContain("forged", census.Stdout);
        var session = target.Attach("-c", "token = 's3cret'; print(len(token))");
        Assert.Equal((0, "6\n", ""), (session.ExitCode, session.Stdout, session.Stderr));

        // The CLI connected (to read the listener's credentials) and sent nothing.
        squatter.Kill();
        squatter.WaitForExit();
        string[] heard = squatter.StandardOutput.ReadToEnd().TrimEnd('\n').Split('\n');
        Assert.NotEmpty(heard);
        Assert.All(heard, line => Assert.Equal("received 0", line));
        target.Echo("unharmed");
        target.FinishAndCheck();
    }

    public static IEnumerable<object[]> MalformedAnswers() => new[]
    {
        new object[] { "data x\n", "unexpected reply from the target: data x" },
        new object[] { "data -5\n", "unexpected reply from the target: data -5" },
        new object[] { "data 99999999999999999999999\n", "unexpected reply from the target: data 99999999999999999999999" },
        new object[] { "data 10\nabc", "process closed the connection" },
        new object[] { new string('A', 10000), "unexpected reply from the target: a line longer than 4096 bytes" },
        new object[] { "\u001b[31mred\n", "unexpected reply from the target: \\x1b[31mred" },
        new object[] { "", "process closed the connection" },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public void AMalformedAnswerIsAMessageNotACrash(string answer, string message)
    {
        // The "target" is a preloaded process that listens on its own name and answers garbage.
        string hex = Convert.ToHexString(Encoding.UTF8.GetBytes(answer));
        Process liar = Start(Peer("O0"), new[] { "serve", hex }, Preloaded());
        Assert.Equal("listening", liar.StandardOutput.ReadLine());
        string pid = liar.Id.ToString();

        var census = AttachTarget.Run(AttachTarget.Cli, new[] { "census", pid });
        Assert.Equal(2, census.ExitCode);
        Assert.Equal("invisible: " + message + "\n", census.Stderr);

        var session = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", pid, "-c", "pass" });
        Assert.Equal(2, session.ExitCode);
        Assert.DoesNotContain("Unhandled", session.Stderr);
        Assert.StartsWith("invisible: ", session.Stderr);
    }
}
