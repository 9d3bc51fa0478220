using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary><c>invisible attach/census PID</c> on programs started without invisible (tests/fixtures/plain_target.c):
/// libinvisible.so is injected (ptrace, dlopen from a thread at a safe point), new allocations are tracked through
/// rewritten GOT slots, and when the session ends the slots are glibc's again and the program's output, exit
/// status and system calls in progress are exactly what they would have been.</summary>
public sealed class InjectionTests
{
    private const string Library = "libinvisible.so";

    /// <summary>Python run in the target: the census's count of struct record blocks.</summary>
    private const string CountRecords =
        "import process\n" +
        "def records():\n" +
        "    return sum(r['blocks'] for r in process.heap.census() if r['type'] == 'struct record')\n";

    /// <summary>Waits (up to 30 s, never asserting on time) until <paramref name="done"/> holds: the listener
    /// restores the GOT and ends its thread just after the client saw the session's end.</summary>
    private static bool Eventually(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.ElapsedMilliseconds > 30_000) return false;
            System.Threading.Thread.Sleep(10);
        }
        return true;
    }

    private static int Threads(int pid) => Directory.GetDirectories("/proc/" + pid + "/task").Length;

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ReadsGlobalsWalksTheHeapListAndCallsAFunction(string opt)
    {
        using var target = new PlainTarget(opt, "single");
        Assert.Equal(0ul, target.MappedAt(Library));
        var run = target.Attach("-c",
            "import process\nm = process.main\nprint(m.plain_counter, m.plain_name)\n" +
            "n = m.plain_list\nvalues = []\nwhile n:\n    values.append(n.value)\n    n = n.next\n" +
            "print(values)\nprint(m.plain_sum(m.plain_list))");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("42 plain-target\n[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]\n55\n", run.Stdout);
        Assert.Equal("", run.Stderr);
        Assert.NotEqual(0ul, target.MappedAt(Library));
        Assert.Equal("echo: after", target.Send("after"));
        Assert.Equal("ready\necho: after\nsum: 55 counter: 43 records: 0\n", target.Finish());
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void NewAllocationsAreTrackedAndTheGotIsRestoredAfter(string opt)
    {
        using var target = new PlainTarget(opt, "single");
        List<ulong> slots = target.GotSlots("malloc");
        slots.AddRange(target.GotSlots("free"));
        Assert.NotEmpty(slots);
        ulong[] before = slots.Select(target.ReadWord).ToArray();

        // A session that waits for a line from us: while it waits, the program allocates and frees.
        var psi = AttachTarget.StartInfo(AttachTarget.Cli, new[]
        {
            "attach", target.Pid.ToString(CultureInfo.InvariantCulture), "-c",
            CountRecords + "print('before', records(), flush=True)\ninput()\nprint('after', records(), flush=True)",
        }, null);
        using (var session = Process.Start(psi)!)
        {
            Assert.Equal("before 0", session.StandardOutput.ReadLine());
            ulong[] during = slots.Select(target.ReadWord).ToArray();
            foreach (ulong value in during)
                Assert.True(target.InMappingOf(value, Library), "a GOT slot does not point into libinvisible.so during the session");
            Assert.Equal("allocated 5", target.Send("alloc 5"));
            Assert.Equal("freed 10", target.Send("free-old")); // blocks from before the attach: glibc's, untouched
            session.StandardInput.WriteLine("go");
            session.StandardInput.Close();
            Assert.Equal("after 5", session.StandardOutput.ReadLine());
            Assert.True(session.WaitForExit(60_000));
            string stderr = session.StandardError.ReadToEnd(); // a few lines at most: never fills the pipe
            Assert.True(session.ExitCode == 0, stderr);
        }
        Assert.True(Eventually(() => slots.Select(target.ReadWord).SequenceEqual(before)), "the GOT slots were not restored");
        Assert.Equal("echo: x", target.Send("x"));

        // A second attach re-uses the mapped library, and starts from a clean table.
        ulong mapped = target.MappedAt(Library);
        Assert.Equal("allocated 2", target.Send("alloc 2"));
        var again = target.Attach("-c", CountRecords + "print(records())");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal("0\n", again.Stdout);
        Assert.Equal(mapped, target.MappedAt(Library));
        Assert.True(Eventually(() => slots.Select(target.ReadWord).SequenceEqual(before)), "the GOT slots were not restored");
        Assert.Equal("ready\nallocated 5\nfreed 10\necho: x\nallocated 2\nsum: 0 counter: 46 records: 7\n", target.Finish());
    }

    [Fact]
    public void AClientKilledDuringASessionLeavesTheProgramAsItWas()
    {
        using var target = new PlainTarget("O0", "single");
        List<ulong> slots = target.GotSlots("malloc");
        ulong[] before = slots.Select(target.ReadWord).ToArray();
        var psi = AttachTarget.StartInfo(AttachTarget.Cli, new[]
        {
            "attach", target.Pid.ToString(CultureInfo.InvariantCulture), "-c", "print('waiting', flush=True)\ninput()",
        }, null);
        using (var session = Process.Start(psi)!)
        {
            Assert.Equal("waiting", session.StandardOutput.ReadLine());
            Assert.True(target.InMappingOf(target.ReadWord(slots[0]), Library));
            session.Kill(); // SIGKILL
            session.WaitForExit();
        }
        Assert.True(Eventually(() => slots.Select(target.ReadWord).SequenceEqual(before)), "the GOT slots were not restored");
        Assert.Equal("allocated 3", target.Send("alloc 3"));
        var again = target.Attach("-c", "print('again')");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal("again\n", again.Stdout);
        Assert.Equal("ready\nallocated 3\nsum: 55 counter: 43 records: 3\n", target.Finish());
    }

    /// <summary>kill -9 of the client at many instants: from its start (before and while it looks for a safe
    /// point) and from the moment it traces the program (the remote dlopen and invisible_attach_start, while a
    /// thread of the program runs our call). Whatever the instant, the program goes on exactly as without us (its
    /// output, its threads' sleeps and reads, its exit status), and a later session works.</summary>
    [Fact]
    public void AClientKilledAtAnyInstantLeavesTheProgramRunningCorrectly()
    {
        var instants = new List<(bool FromTrace, int Ms)>();
        foreach (int ms in new[] { 0, 10, 30, 60, 120, 250 }) instants.Add((false, ms));
        foreach (int ms in new[] { 0, 0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55 }) instants.Add((true, ms));
        int killedWhileTracing = 0;
        for (int i = 0; i < instants.Count; i++)
        {
            var (fromTrace, ms) = instants[i];
            string mode = i % 2 == 0 ? "single" : "threads";
            using var target = new PlainTarget("O2", mode);
            var psi = AttachTarget.StartInfo(AttachTarget.Cli, new[]
            {
                "attach", target.Pid.ToString(CultureInfo.InvariantCulture), "-c", "print('in')",
            }, null);
            using (var client = Process.Start(psi)!)
            {
                if (fromTrace)
                    while (!client.HasExited && target.TracerPid() != client.Id) System.Threading.Thread.Sleep(1);
                System.Threading.Thread.Sleep(ms);
                if (target.TracerPid() == client.Id) killedWhileTracing++;
                try { client.Kill(); }
                catch (InvalidOperationException) { } // it had finished
                client.WaitForExit();
            }
            Assert.Equal("echo: " + i, target.Send(i.ToString(CultureInfo.InvariantCulture)));
            if (i % 3 == 0) // a later session (a Python one: seconds on a loaded machine) on every third
            {
                var again = target.Attach("-c", "import process; print(process.main.plain_counter)");
                Assert.True(again.ExitCode == 0, "instant " + i + ": " + again.Stderr);
                Assert.Equal("43\n", again.Stdout);
            }
            string threads = mode == "threads" ? "sleeper interrupted 0\nreader read 1\nwaiter woke\n" : "";
            Assert.Equal("ready\necho: " + i + "\n" + threads + "sum: 55 counter: 43 records: 0\n", target.Finish());
        }
        Assert.True(killedWhileTracing > 0, "no kill landed while the client was tracing the program: nothing was shown");
    }

    /// <summary>Our descriptors (the listener's socket, the session's connection) sit near the top of the range,
    /// out of the program's way: a program that closes every descriptor it finds (a loop over /proc/self/fd, then
    /// closefrom(3), as a daemon does) closes none of ours and gets fd 3 from its next open(), as without us, and
    /// a dup2 onto our listener's number moves ours; the session goes on. Preloaded, the interposed close/dup2 see
    /// to it; injected, the same functions reached through the rewritten GOT slots.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheProgramClosingEveryDescriptorLeavesTheSessionAlone(bool preloaded)
    {
        using var target = new PlainTarget("O0", "single", preloaded);
        var psi = AttachTarget.StartInfo(AttachTarget.Cli, new[]
        {
            "attach", target.Pid.ToString(CultureInfo.InvariantCulture), "-c",
            "print('waiting', flush=True)\ninput()\nprint('still here', flush=True)",
        }, null);
        int listener;
        using (var session = Process.Start(psi)!)
        {
            Assert.Equal("waiting", session.StandardOutput.ReadLine());
            // The listener's socket, the connection and the relay pair: near the top of the range.
            List<int> ours = target.Sockets().FindAll(fd => fd >= 64);
            Assert.Equal(4, ours.Count);
            // The runtime's own files (libdw's, the loader extension's) are out of the program's numbers but not
            // hidden: the program closes them (the session reopens what it needs).
            int runtimeFiles = target.Descriptors().FindAll(fd => fd > 2 && !ours.Contains(fd)).Count;
            Assert.Equal("closed " + runtimeFiles + ", next fd 3", target.Send("closeall"));
            Assert.Equal(ours, target.Sockets());
            listener = ours[0];
            Assert.Equal("dup2 onto " + listener + ": ok", target.Send("dup2 " + listener));
            Assert.Equal(ours.Count, target.Sockets().Count);
            session.StandardInput.WriteLine("go");
            session.StandardInput.Close();
            Assert.Equal("still here", session.StandardOutput.ReadLine());
            Assert.True(session.WaitForExit(60_000));
            string stderr = session.StandardError.ReadToEnd();
            Assert.True(session.ExitCode == 0, stderr);
        }
        if (!preloaded)
            Assert.True(Eventually(() => target.Sockets().Count == 0), "the listener left a descriptor behind");
        string output = target.Finish();
        Assert.Matches("^ready\nclosed [0-9]+, next fd 3\ndup2 onto " + listener + ": ok\nsum: 55 counter: 44 records: 0\n$", output);
    }

    /// <summary>The runtime's own files (.NET's /dev/urandom, libdw's ELF and debug files, which it keeps for the next
    /// session) are moved out of the program's numbers, preloaded or injected: after a session that read DWARF and
    /// called into libc, every descriptor below 512 is one the program had before, so its next open() gets the
    /// number it would have got without us.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASessionLeavesTheProgramsDescriptorNumbersAsTheyWere(bool preloaded)
    {
        using var target = new PlainTarget("O0", "single", preloaded);
        List<int> before = target.Descriptors().FindAll(fd => fd < 512);
        var session = target.Attach("-c", "import process, c\nprint(process.main.plain_counter, c.strlen('abc'))");
        Assert.True(session.ExitCode == 0, session.Stderr);
        Assert.Equal("42 3\n", session.Stdout);
        Assert.Equal(before, target.Descriptors().FindAll(fd => fd < 512));
        Assert.Equal("ready\nsum: 55 counter: 42 records: 0\n", target.Finish());
    }

    /// <summary>A library the program dlopens during a session is tracked from its constructor on: libc's symbols
    /// of the malloc family name our hooks while we are there, so the loader binds the new object to them before
    /// its constructors run. After the session its slots are glibc's again, as every other object's.</summary>
    [Fact]
    public void ALibraryLoadedDuringASessionIsTrackedFromItsConstructorOn()
    {
        using var target = new PlainTarget("O0", "single");
        string library = Path.Combine(AttachTarget.Root, "build", "tests", "fixtures", "libctor_alloc.so");
        ulong libcMalloc = target.ReadWord(target.GotSlots("malloc")[0]);
        const string CountBlocks =
            "import process\n" +
            "def blocks():\n" +
            "    return sum(r['blocks'] for r in process.heap.census() if r['type'] == 'struct ctor_block')\n";
        var psi = AttachTarget.StartInfo(AttachTarget.Cli, new[]
        {
            "attach", target.Pid.ToString(CultureInfo.InvariantCulture), "-c",
            CountBlocks + "print('before', blocks(), flush=True)\ninput()\nprint('after', blocks(), flush=True)",
        }, null);
        using (var session = Process.Start(psi)!)
        {
            Assert.Equal("before 0", session.StandardOutput.ReadLine());
            Assert.Equal("loaded: 6 blocks", target.Send("dlopen " + library));
            session.StandardInput.WriteLine("go");
            session.StandardInput.Close();
            Assert.Equal("after 6", session.StandardOutput.ReadLine());
            Assert.True(session.WaitForExit(60_000));
            string stderr = session.StandardError.ReadToEnd();
            Assert.True(session.ExitCode == 0, stderr);
        }
        List<ulong> slots = target.GotSlots("malloc", library);
        Assert.NotEmpty(slots);
        Assert.True(Eventually(() => slots.TrueForAll(s => target.ReadWord(s) == libcMalloc)),
                    "the new library's malloc slot is 0x" + target.ReadWord(slots[0]).ToString("x", CultureInfo.InvariantCulture) +
                    " after the session, glibc's malloc is 0x" + libcMalloc.ToString("x", CultureInfo.InvariantCulture));
        Assert.Equal("ready\nloaded: 6 blocks\nsum: 55 counter: 43 records: 0\n", target.Finish());
    }

    [Fact]
    public void CensusOfAPlainProcessWorks()
    {
        using var target = new PlainTarget("O0", "single");
        var census = AttachTarget.Run(AttachTarget.Cli, new[] { "census", target.Pid.ToString(CultureInfo.InvariantCulture) });
        Assert.True(census.ExitCode == 0, census.Stderr);
        Assert.Contains("HEAP CENSUS", census.Stdout);
        // A census runs in a copy of the process: once the listener left, the program has its one thread again.
        Assert.True(Eventually(() => Threads(target.Pid) == 1), "the listener thread did not end");
        Assert.Equal("echo: y", target.Send("y"));
        Assert.Equal("ready\necho: y\nsum: 55 counter: 43 records: 0\n", target.Finish());
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ThreadsBlockedInSystemCallsAreNotDisturbed(string opt)
    {
        using var target = new PlainTarget(opt, "threads");
        for (int i = 0; i < 3; i++)
        {
            var run = target.Attach("-c", "import process; print(process.main.plain_counter)");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal(42 + i + "\n", run.Stdout);
            Assert.Equal("echo: " + i, target.Send(i.ToString(CultureInfo.InvariantCulture)));
        }
        Assert.Equal("ready\necho: 0\necho: 1\necho: 2\n" +
                     "sleeper interrupted 0\nreader read 1\nwaiter woke\nsum: 55 counter: 45 records: 0\n", target.Finish());
    }

    [Fact]
    public void AThreadBusyAllocatingDuringTheAttachIsHandled()
    {
        using var target = new PlainTarget("O2", "busy");
        for (int i = 0; i < 5; i++)
        {
            var run = target.Attach("-c", "print('in')");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("in\n", run.Stdout);
        }
        Assert.Equal("echo: z", target.Send("z"));
        Assert.Equal("ready\necho: z\nbusy ran\nsum: 55 counter: 43 records: 0\n", target.Finish());
    }

    [Fact]
    public void ASleepInProgressIsNotShortened()
    {
        using var target = new PlainTarget("O0", "single");
        Assert.Equal("sleeping", target.Send("sleep 1500"));
        var run = target.Attach("-c", "print('attached')");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("slept: rc 0, errno 0, shortened no", target.ReadLine());
        Assert.Equal("ready\nsleeping\nslept: rc 0, errno 0, shortened no\nsum: 55 counter: 43 records: 0\n", target.Finish());
    }

    [YamaRefusesFact]
    public void YamaScopeIsNamedWhenPtraceIsRefused()
    {
        using var target = new PlainTarget("O0", "single");
        var run = target.Attach("-c", "print(1)");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kernel.yama.ptrace_scope is " + YamaRefusesFactAttribute.Scope(), run.Stderr);
        target.Finish();
    }
}

/// <summary>Runs only where Yama refuses the CLI a ptrace of a process it did not start (scope 3, or 1-2 without
/// root): read from /proc/sys/kernel/yama/ptrace_scope; elsewhere the test is reported skipped, with why.</summary>
public sealed class YamaRefusesFactAttribute : FactAttribute
{
    public static int Scope()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/yama/ptrace_scope").Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return -1; }
    }

    public YamaRefusesFactAttribute()
    {
        int scope = Scope();
        bool root = Environment.UserName == "root";
        if (scope < 0) Skip = "this kernel has no Yama (no /proc/sys/kernel/yama/ptrace_scope): nothing to refuse the attach";
        else if (scope == 0 || (root && scope < 3)) Skip = "kernel.yama.ptrace_scope is " + scope + (root ? " and we are root" : "") + ": the attach is allowed here";
    }
}
