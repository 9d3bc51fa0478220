using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>Real programs under the preload: stdout and exit status exactly as without us, and a
/// report on stderr.</summary>
public sealed class RealProgramTests
{
    public static IEnumerable<object[]> Programs()
    {
        yield return new object[] { "python3", new[] { "-c",
            "import threading, os, subprocess\n" +
            "out = []\n" +
            "ts = [threading.Thread(target=lambda i=i: out.append(sum(range(i * 1000)))) for i in range(4)]\n" +
            "[t.start() for t in ts]; [t.join() for t in ts]\n" +
            "print(sorted(out))\n" +
            "pid = os.fork()\n" +
            "if pid == 0: os._exit(7)\n" +
            "print('child', os.waitpid(pid, 0)[1] >> 8)\n" +
            "print(subprocess.run(['echo', 'sub'], capture_output=True, text=True).stdout.strip())\n" +
            "raise SystemExit(3)" } };
        yield return new object[] { "git", new[] { "log", "-3", "--format=%s", "--", "README.md" } };
        yield return new object[] { "git", new[] { "status", "--porcelain", "--", "CMakeLists.txt" } };
        yield return new object[] { "perl", new[] { "-e", "my %h = map { $_ => $_ * 2 } 1..1000; print scalar(keys %h), \"\\n\"; exit 4" } };
        yield return new object[] { "bash", new[] { "-c", "seq 1 2000 | sort -r | head -3; echo done | tr a-z A-Z; exit 5" } };
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void OutputAndStatusAreUnchanged(string program, string[] args)
    {
        RunResult plain = TestEnvironment.Run(program, args);
        RunResult ours = TestEnvironment.Run(program, args, new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library });
        Assert.Equal(plain.ExitCode, ours.ExitCode);
        Assert.Equal(plain.Stdout, ours.Stdout);
        Assert.Contains("LEAK SUMMARY:", ours.Stderr);
    }

    [Fact]
    public void GccCompilesTheSameObject()
    {
        string dir = Directory.CreateTempSubdirectory("invisible-gcc").FullName;
        string source = Path.Combine(TestEnvironment.Root, "tests", "fixtures", "leak_shapes.c");
        RunResult plain = TestEnvironment.Run("gcc", new[] { "-O2", "-c", source, "-o", Path.Combine(dir, "plain.o") });
        RunResult ours = TestEnvironment.Run("gcc", new[] { "-O2", "-c", source, "-o", Path.Combine(dir, "ours.o") },
                                             new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library });
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "plain.o")), File.ReadAllBytes(Path.Combine(dir, "ours.o")));
        // gcc, cc1 and as each report.
        Assert.True(System.Text.RegularExpressions.Regex.Matches(ours.Stderr, "LEAK SUMMARY:").Count >= 3, ours.Stderr);
        Directory.Delete(dir, true);
    }
}
