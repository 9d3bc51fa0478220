using System.IO;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Report.Tests;

/// <summary><c>--format pprof</c>: the exact samples (read back with <see cref="ProfileProto"/>), and round trips
/// through <c>go tool pprof</c> (-top, -diff_base).</summary>
public sealed class PprofTests
{
    private static byte[] Pprof(string dir, string report, out string path)
    {
        path = Path.Combine(dir, report + ".pb.gz");
        var r = ReportEnvironment.Invisible("report", ReportEnvironment.Fixture(report), "--format", "pprof", "-o", path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void SamplesLocationsAndSampleTypesAreExactly()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            ProfileProto p = ProfileProto.Read(Pprof(dir, "profile.json", out _));
            Assert.Equal("", p.Strings[0]);
            var types = new System.Collections.Generic.List<string>();
            foreach (var (t, u) in p.SampleTypes) types.Add(p.Strings[(int)t] + "/" + p.Strings[(int)u]);
            Assert.Equal(new[] { "alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes" }, types);
            Assert.Equal(4, p.Samples.Count);
            Assert.Equal("add_item:36 < main:60 = 600,14400,600,14400", p.Describe(0));
            // The inlined frame and the function it is inlined into share one location (one pc).
            Assert.Equal("format_line:12 < print_receipt:80 < main:66 = 900,36000,0,0", p.Describe(1));
            Assert.Equal(2, p.Locations[p.Samples[1].Locations[0]].Count);
            Assert.Equal("place_order:47 < main:69 = 12,288,12,288", p.Describe(2));
            Assert.Equal("std::vector<int, std::allocator<int> >::push_back(int const&):1287 < ?? 0x7f25b957062e (in libcart.so):0 = 188,13312,3,1536", p.Describe(3));
            Assert.Equal(2, p.Mappings.Count);
            Assert.Equal("/opt/shop/bin/shop", p.Strings[(int)p.Mappings[0].File]);
            Assert.Equal("/opt/shop/lib/libcart.so", p.Strings[(int)p.Mappings[1].File]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void AMappingCarriesTheBuildIdOfItsModule()
    {
        // A real report: the fixture program's own module, its build id read from the file (readelf -n says which).
        string dir = ReportEnvironment.TempDir();
        try
        {
            string json = Path.Combine(dir, "r.json");
            string program = ReportEnvironment.Program("demo-O0");
            var run = ReportEnvironment.Invisible("run", "--json=" + json, "--depth=4", program);
            Assert.True(File.Exists(json), run.Stderr);
            var r = ReportEnvironment.Invisible("report", json, "--format", "pprof", "-o", Path.Combine(dir, "r.pb.gz"));
            Assert.True(r.ExitCode == 0, r.Stderr);
            ProfileProto p = ProfileProto.Read(File.ReadAllBytes(Path.Combine(dir, "r.pb.gz")));
            var readelf = TestProcess.Run("readelf", new[] { "-n", program });
            string line = System.Array.Find(readelf.Stdout.Split('\n'), l => l.Contains("Build ID:"))!;
            string expected = line.Substring(line.IndexOf("Build ID:", System.StringComparison.Ordinal) + 9).Trim();
            var mapping = p.Mappings.Find(m => p.Strings[(int)m.File] == Path.GetFullPath(program));
            Assert.Equal(expected, p.Strings[(int)mapping.BuildId]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [ToolFact("go", "golang-go")]
    public void GoToolPprofReadsItTopAndDiffBase()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            Pprof(dir, "profile.json", out string profile);
            Pprof(dir, "leaks.json", out string leaks);
            var env = new System.Collections.Generic.Dictionary<string, string> { ["HOME"] = dir, ["GOCACHE"] = Path.Combine(dir, "gocache") };
            string go = ReportEnvironment.Tool("go")!;
            var top = TestProcess.Run(go, new[] { "tool", "pprof", "-top", "-sample_index=alloc_space", profile }, env);
            Assert.True(top.ExitCode == 0, top.Stderr);
            // 64,000 bytes = 62.50kB; the 288 bytes of place_order fall under pprof's default node fraction.
            Assert.Contains("Type: alloc_space\nShowing nodes accounting for 62.22kB, 99.55% of 62.50kB total\n", top.Stdout);
            Assert.Matches(@"\n\s+35\.16kB\s+56\.25%\s+56\.25%\s+35\.16kB\s+56\.25%\s+format_line \(inline\)\n", top.Stdout);
            Assert.Matches(@"\n\s+14\.06kB\s+22\.50%\s+78\.75%\s+14\.06kB\s+22\.50%\s+add_item\n", top.Stdout);
            Assert.Matches(@"\n\s+0\s+0%\s+99\.55%\s+49\.50kB\s+79\.20%\s+main\n", top.Stdout);
            // Default sample type: inuse_space (the last), as for Go's heap profiles.
            var inuse = TestProcess.Run(go, new[] { "tool", "pprof", "-top", profile }, env);
            Assert.True(inuse.ExitCode == 0, inuse.Stderr);
            Assert.Contains("Showing nodes accounting for 16224B, 100% of 16224B total", inuse.Stdout);
            // leaks.json leaks 48 bytes at place_order; profile.json holds 288 there at exit: the difference is 240.
            var diff = TestProcess.Run(go, new[] { "tool", "pprof", "-top", "-diff_base", leaks, profile }, env);
            Assert.True(diff.ExitCode == 0, diff.Stderr);
            Assert.Matches(@"\n\s+240B\s+[0-9.]+%\s+[0-9.]+%\s+240B\s+[0-9.]+%\s+place_order\n", diff.Stdout);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
