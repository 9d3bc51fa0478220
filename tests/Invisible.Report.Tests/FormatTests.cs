using System.IO;
using System.Text.Json;
using Xunit;

namespace Invisible.Report.Tests;

/// <summary>Each text-like format of <c>invisible report</c> on the two fixture reports (one with the
/// <c>profile</c> section of issue 13, one as <c>invisible run --json</c> writes it without a profile), compared
/// byte for byte with fixtures/expected/.</summary>
public sealed class FormatTests
{
    private static string Convert(string report, string format)
    {
        var r = ReportEnvironment.Invisible("report", ReportEnvironment.Fixture(report), "--format", format);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        return r.Stdout;
    }

    private static string Expected(string name) => File.ReadAllText(ReportEnvironment.Fixture(Path.Combine("expected", name)));

    [Theory]
    [InlineData("profile.json", "text", "profile.txt")]
    [InlineData("leaks.json", "text", "leaks.txt")]
    [InlineData("profile.json", "collapsed", "profile.collapsed")]
    [InlineData("leaks.json", "collapsed", "leaks.collapsed")]
    [InlineData("profile.json", "speedscope", "profile.speedscope.json")]
    [InlineData("leaks.json", "speedscope", "leaks.speedscope.json")]
    public void FormatIsExactly(string report, string format, string expected)
    {
        Assert.Equal(Expected(expected), Convert(report, format));
    }

    [Fact]
    public void TextIsTheDefaultFormatAndOutputGoesToTheFileGiven()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            string output = Path.Combine(dir, "r.txt");
            var r = ReportEnvironment.Invisible("report", ReportEnvironment.Fixture("profile.json"), "-o", output);
            Assert.Equal((0, "", ""), (r.ExitCode, r.Stdout, r.Stderr));
            Assert.Equal(Expected("profile.txt"), File.ReadAllText(output));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CollapsedLinesSumToTheBytesAllocated()
    {
        long sum = 0;
        foreach (string line in Convert("profile.json", "collapsed").Split('\n', System.StringSplitOptions.RemoveEmptyEntries))
            sum += long.Parse(line.Substring(line.LastIndexOf(' ') + 1), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(64_000, sum); // profile.total.bytes of the fixture
    }

    [JsonSchemaFact]
    public void SpeedscopeOutputIsValidAgainstSpeedscopesSchema()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            foreach (string report in new[] { "profile.json", "leaks.json" })
            {
                string output = Path.Combine(dir, report + ".speedscope.json");
                Assert.Equal(0, ReportEnvironment.Invisible("report", ReportEnvironment.Fixture(report), "-f", "speedscope", "-o", output).ExitCode);
                var v = Invisible.Tests.Shared.TestProcess.Run("python3", new[] {
                    ReportEnvironment.Fixture("validate_json_schema.py"), ReportEnvironment.Fixture("speedscope-file-format-schema.json"), output });
                Assert.True(v.ExitCode == 0, v.Stdout + v.Stderr);
                Assert.Equal("valid\n", v.Stdout);
            }
            // The validator is not vacuous: a profile without weights is refused.
            string broken = Path.Combine(dir, "broken.json");
            File.WriteAllText(broken, "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": {\"frames\": []}, " +
                                      "\"profiles\": [{\"type\": \"sampled\", \"name\": \"x\", \"unit\": \"bytes\", \"startValue\": 0, \"endValue\": 0, \"samples\": []}]}");
            var bad = Invisible.Tests.Shared.TestProcess.Run("python3", new[] {
                ReportEnvironment.Fixture("validate_json_schema.py"), ReportEnvironment.Fixture("speedscope-file-format-schema.json"), broken });
            Assert.Equal(1, bad.ExitCode);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SpeedscopeStacksAreRootFirstAndWeightsAreBytes()
    {
        using JsonDocument d = JsonDocument.Parse(Convert("profile.json", "speedscope"));
        JsonElement frames = d.RootElement.GetProperty("shared").GetProperty("frames");
        JsonElement allocated = d.RootElement.GetProperty("profiles")[0];
        Assert.Equal("allocated bytes", allocated.GetProperty("name").GetString());
        JsonElement first = allocated.GetProperty("samples")[0];
        Assert.Equal("main", frames[first[0].GetInt32()].GetProperty("name").GetString());
        Assert.Equal("add_item", frames[first[first.GetArrayLength() - 1].GetInt32()].GetProperty("name").GetString());
        Assert.Equal(64_000, allocated.GetProperty("endValue").GetInt64());
    }
}

/// <summary>Needs python3 with the jsonschema module (Debian python3-jsonschema, installed by scripts/build).</summary>
public sealed class JsonSchemaFactAttribute : FactAttribute
{
    public JsonSchemaFactAttribute()
    {
        try
        {
            var r = Invisible.Tests.Shared.TestProcess.Run("python3", new[] { "-c", "import jsonschema" });
            if (r.ExitCode != 0) Skip = "needs python3's jsonschema (Debian package python3-jsonschema, installed by scripts/build)";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip = "needs python3 with jsonschema (Debian package python3-jsonschema)";
        }
    }
}
