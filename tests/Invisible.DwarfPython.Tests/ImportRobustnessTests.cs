using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary><c>invisible python</c> as a program: a damaged library given to <c>import NAME</c> is an error, never a
/// crash (repro truncated_elf_sigbus.sh (a), and the import side of the ELF/DWARF fuzz target), and Ctrl-C stops a
/// script blocked in a C call or in input() at once, as in CPython (repro python_ctrl_c_lost.sh).</summary>
public sealed class ImportRobustnessTests : IDisposable
{
    private static string Cli => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");
    private readonly string _dir = Directory.CreateTempSubdirectory("invisible-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private (string Stdout, string Stderr, int Exit) Python(string code, string libraryDir) =>
        Fixture.Run(Cli, new[] { "python", "-c", code }, _dir, "LD_LIBRARY_PATH=" + libraryDir);

    [Fact]
    public void TruncatedLibraryIsAnImportError()
    {
        string lib = Path.Combine(_dir, "t");
        Directory.CreateDirectory(lib);
        string truncated = Path.Combine(lib, "libdpfix.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Fixture.LibraryPath).AsSpan(0, 5000).ToArray());
        var r = Python("import dpfix", lib);
        Assert.Equal(1, r.Exit); // was SIGBUS inside dlopen (CPython's ctypes.CDLL dies the same way)
        Assert.Matches(@"\nImportError: cannot load libdpfix\.so: " + Regex.Escape(truncated) +
                       @": truncated \(the file has 5,000 bytes, its headers need [0-9,]+\)\n$", r.Stderr);
        var load = Fixture.Run(Cli, new[] { "python", "-c", "import process\nprocess.load('" + truncated + "')" }, _dir);
        Assert.Equal(1, load.Exit);
        Assert.Matches(@"\nImportError: cannot load " + Regex.Escape(truncated) +
                       @": truncated \(the file has 5,000 bytes, its headers need [0-9,]+\)\n$", load.Stderr);
    }

    public static IEnumerable<object[]> Strategies() => ElfCorruption.Names.ConvertAll(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CorruptedLibraryImportsOrFailsClearly(string strategy)
    {
        // Fuzz target, import side: fixed seeds, 6 cases per strategy. The script reads a type, a global and calls a
        // function; it may fail (the DWARF is damaged), but with a Python exception and status 1, never a signal.
        byte[] good = File.ReadAllBytes(Fixture.LibraryPath);
        var sections = ElfCorruption.Sections(good);
        string lib = Path.Combine(_dir, strategy);
        Directory.CreateDirectory(lib);
        for (int seed = 0; seed < 6; seed++)
        {
            File.WriteAllBytes(Path.Combine(lib, "libdpfix.so"), ElfCorruption.Apply(strategy, good, sections, seed));
            var r = Python("import dpfix\nprint(dpfix.add(2, 3), dpfix.counter, dpfix.struct.point(1, 2))", lib);
            Assert.True(r.Exit == 0 || r.Exit == 1, $"{strategy} seed {seed}: exit {r.Exit}\n{r.Stderr}");
            if (r.Exit == 1)
                Assert.Matches(@"\n[A-Za-z]+(Error|Exception): [^\n]*\n$", r.Stderr);
            else
                Assert.Equal("5 7 {x = 1, y = 2}\n", r.Stdout);
            if (strategy == "truncate")
                Assert.Contains("ImportError: cannot load libdpfix.so: ", r.Stderr);
        }
    }

    // ---- Ctrl-C ----

    /// <summary>Whether some thread of <paramref name="pid"/> is inside system call <paramref name="number"/>, and, when
    /// <paramref name="onStdin"/>, on a descriptor that is the process's stdin (the runtime reads a duplicate of fd 0),
    /// from /proc/PID/task/*/syscall.</summary>
    private static bool InSyscall(int pid, int number, bool onStdin)
    {
        try
        {
            string? stdin = onStdin ? new FileInfo("/proc/" + pid + "/fd/0").LinkTarget : null;
            foreach (string task in Directory.GetDirectories("/proc/" + pid + "/task"))
            {
                string[] f = File.ReadAllText(Path.Combine(task, "syscall")).Split(' ');
                if (f.Length < 2 || f[0] != number.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    continue;
                if (!onStdin)
                    return true;
                long fd = Convert.ToInt64(f[1], 16);
                if (new FileInfo("/proc/" + pid + "/fd/" + fd).LinkTarget == stdin)
                    return true;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return false;
    }

    /// <summary>Start `invisible python -c CODE` with SIGINT at its default disposition (the test host may ignore it,
    /// and an ignored signal stays ignored across exec), wait until it blocks in the given system call, send SIGINT.</summary>
    private static (string Stdout, string Stderr, int Exit) InterruptWhenBlocked(string code, int syscall, bool onStdin)
    {
        var psi = TestProcess.StartInfo("env", new[] { "--default-signal=INT", Cli, "python", "-c", code }, null, Path.GetTempPath());
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        while (!InSyscall(p.Id, syscall, onStdin) && !p.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
            System.Threading.Thread.Sleep(10);
        Assert.True(InSyscall(p.Id, syscall, onStdin), "never blocked in system call " + syscall);
        Assert.Equal(0, kill(p.Id, 2));
        if (!p.WaitForExit(60_000)) // a hang guard, not a timing assertion
        {
            p.Kill(true);
            throw new TimeoutException("not interrupted");
        }
        p.StandardInput.Close();
        return (stdout.Result, stderr.Result, p.ExitCode);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Fact]
    public void CtrlCDuringACCallRaisesWhenItReturns()
    {
        // c.pause() returns only when a signal handler runs on its thread: the interrupt must reach that thread (the
        // kernel may give SIGINT to any of the runtime's threads), and KeyboardInterrupt is raised as it returns, as
        // CPython + ctypes do. Before the fix, c.sleep(3) ran to its end and the interrupt was lost.
        var r = InterruptWhenBlocked("import c\ntry:\n    c.pause()\nexcept KeyboardInterrupt:\n    print('interrupted')\n", 34 /* pause */, false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr);
        Assert.Equal("interrupted\n", r.Stdout);
        var uncaught = InterruptWhenBlocked("import c\nc.pause()\nprint('not reached')\n", 34, false);
        Assert.Equal(130, uncaught.Exit);
        Assert.Equal("", uncaught.Stdout);
        Assert.EndsWith("\nKeyboardInterrupt\n", uncaught.Stderr);
    }

    [Fact]
    public void CtrlCDuringInputRaisesAtOnce()
    {
        // input() on a pipe that never gets a line: KeyboardInterrupt, not a wait for the line.
        var r = InterruptWhenBlocked("try:\n    input('? ')\nexcept KeyboardInterrupt:\n    print('interrupted')\n", 0 /* read */, true);
        Assert.Equal(0, r.Exit);
        Assert.Equal("? interrupted\n", r.Stdout);
    }
}
