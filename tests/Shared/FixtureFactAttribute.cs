using System.IO;
using Xunit;

namespace Invisible.Tests.Shared;

/// <summary>Why a fixture was not built: tests/CMakeLists.txt leaves build/tests/fixtures/NAME.skip, holding the
/// reason, for a fixture this toolchain cannot build (no LeakSanitizer, no static libc). Null when it was built
/// (or the build did not run: then <see cref="TestProcess.BuiltFixture"/> says so and the test fails).</summary>
public static class Fixtures
{
    public static string? SkipUnlessBuilt(string[] fileNames)
    {
        foreach (string name in fileNames)
        {
            string marker = Path.Combine(TestProcess.Root, "build", "tests", "fixtures", name + ".skip");
            if (File.Exists(marker)) return name + " not built: " + File.ReadAllText(marker).Trim();
        }
        return null;
    }
}

/// <summary>A test that needs fixtures the build may be unable to make: reported as skipped with CMake's
/// reason, decided when the tests are discovered, never passing without having checked anything.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute(params string[] fileNames)
    {
        string? reason = Fixtures.SkipUnlessBuilt(fileNames);
        if (reason is not null) Skip = reason;
    }
}

/// <summary><see cref="FixtureFactAttribute"/> for a theory.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute(params string[] fileNames)
    {
        string? reason = Fixtures.SkipUnlessBuilt(fileNames);
        if (reason is not null) Skip = reason;
    }
}
