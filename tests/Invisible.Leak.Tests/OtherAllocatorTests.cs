using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>A program whose malloc is jemalloc's or tcmalloc's (linked with it or preloading it; once a crash):
/// it runs as without us (the oracle is a plain run: same output, same exit status),
/// and one line says that leak tracking is off and why.</summary>
public sealed class OtherAllocatorTests
{
    private const string Jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
    private const string Tcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

    private static void RunsAsWithoutUs(string fixture, string? preload, string name, string library)
    {
        var env = new Dictionary<string, string>();
        if (preload is not null)
            env["LD_PRELOAD"] = preload;
        RunResult plain = TestEnvironment.Run(fixture, new string[0], env);
        RunResult ours = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", fixture }, env);
        Assert.Equal(0, plain.ExitCode);
        Assert.StartsWith("usable=", plain.Stdout);
        Assert.Equal((plain.ExitCode, plain.Stdout), (ours.ExitCode, ours.Stdout));
        Assert.Matches(new Regex("^invisible: this process allocates through " + name + @" \(\S*/" + Regex.Escape(library) +
                                 @"\), not glibc's malloc; leak tracking is off\n$"), ours.Stderr);
    }

    [LibraryFact(Jemalloc)]
    public void AProgramLinkedWithJemallocRunsAsWithoutUs() =>
        RunsAsWithoutUs(Path.Combine(TestEnvironment.Build, "tests", "fixtures", "invisible_allocator-jemalloc"), null,
                        "jemalloc", "libjemalloc.so.2");

    [LibraryFact(Jemalloc)]
    public void AProgramPreloadingJemallocRunsAsWithoutUs() =>
        RunsAsWithoutUs(TestEnvironment.Fixture("invisible_allocator"), Jemalloc, "jemalloc", "libjemalloc.so.2");

    [LibraryFact(Tcmalloc)]
    public void AProgramPreloadingTcmallocRunsAsWithoutUs() =>
        RunsAsWithoutUs(TestEnvironment.Fixture("invisible_allocator"), Tcmalloc, "tcmalloc_minimal", "libtcmalloc_minimal.so.4");

    [LibraryFact(Tcmalloc)]
    public void TcmallocPreloadedBeforeUsIsDetectedToo()
    {
        string fixture = TestEnvironment.Fixture("invisible_allocator");
        var plainEnv = new Dictionary<string, string> { ["LD_PRELOAD"] = Tcmalloc };
        var oursEnv = new Dictionary<string, string> { ["LD_PRELOAD"] = Tcmalloc + ":" + TestEnvironment.Library };
        RunResult plain = TestEnvironment.Run(fixture, new string[0], plainEnv);
        RunResult ours = TestEnvironment.Run(fixture, new string[0], oursEnv);
        Assert.Equal((plain.ExitCode, plain.Stdout), (ours.ExitCode, ours.Stdout));
        Assert.Equal("invisible: this process allocates through tcmalloc_minimal (" + Tcmalloc +
                     "), not glibc's malloc; leak tracking is off\n", ours.Stderr);
    }
}

/// <summary>A test that needs a library installed (scripts/build installs it): reported as skipped without it.</summary>
public sealed class LibraryFactAttribute : FactAttribute
{
    public LibraryFactAttribute(string path)
    {
        if (!File.Exists(path))
            Skip = "needs " + path + " (scripts/build installs it)";
    }
}
