using System;
using System.IO;
using Xunit;

namespace Invisible.Tests.Shared;

/// <summary>Where a test's external tool is: a name is looked up on PATH as a shell would, a path is taken as is.</summary>
public static class Tools
{
    public static bool Exists(string tool)
    {
        if (tool.Contains('/', StringComparison.Ordinal)) return File.Exists(tool);
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path)) return false;
        foreach (string dir in path.Split(':'))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool))) return true;
        return false;
    }

    /// <summary>The skip reason for a test that needs <paramref name="tool"/>, or null when it is there.</summary>
    public static string? SkipUnless(string tool) =>
        Exists(tool) ? null : "needs " + tool + " (scripts/build installs it)";
}

/// <summary>A test that needs an external program (gdb, valgrind): without it, reported as skipped with the
/// reason, decided when the tests are discovered, never passing without having checked anything.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        string? reason = Tools.SkipUnless(tool);
        if (reason is not null) Skip = reason;
    }
}

/// <summary><see cref="ToolFactAttribute"/> for a theory.</summary>
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(string tool)
    {
        string? reason = Tools.SkipUnless(tool);
        if (reason is not null) Skip = reason;
    }
}
