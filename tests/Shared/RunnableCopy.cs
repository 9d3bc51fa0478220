using System;
using System.IO;

namespace Invisible.Tests.Shared;

/// <summary>
/// Copies of the build's executables and libraries that another user (uid 65534 through setpriv) can run and
/// preload: the checkout may sit in a private directory, such as a `mktemp -d` clone, which that user cannot enter.
/// The copies keep the build's relative layout (bin/, libexec/, lib/), which the launcher relies on to find the
/// CLI and the libraries. Deleted with the object.
/// </summary>
public sealed class RunnableCopy : IDisposable
{
    private const UnixFileMode Executable = (UnixFileMode)0x1ed; // 0755

    /// <summary>The launcher, the CLI and both libraries of <paramref name="buildDirectory"/>.</summary>
    public static readonly string[] BuildFiles = { "bin/invisible", "libexec/invisible-cli", "lib/libinvisible.so", "lib/libinvisible-runtime.so" };

    public RunnableCopy(string buildDirectory)
    {
        Root = Path.Combine(Path.GetTempPath(), "invisible-copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        MakeExecutable(Root);
        foreach (string file in BuildFiles)
            Add(Path.Combine(buildDirectory, file), file);
    }

    /// <summary>The copy's top directory (0755).</summary>
    public string Root { get; }

    /// <summary>The copied launcher.</summary>
    public string Cli => Path.Combine(Root, "bin", "invisible");

    /// <summary>Copies <paramref name="from"/> to <paramref name="relativePath"/> under <see cref="Root"/>, executable by
    /// everyone; returns the copy's path.</summary>
    public string Add(string from, string relativePath)
    {
        string to = Path.Combine(Root, relativePath);
        string directory = Path.GetDirectoryName(to)!;
        Directory.CreateDirectory(directory);
        MakeExecutable(directory);
        File.Copy(from, to, overwrite: true);
        MakeExecutable(to);
        return to;
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, Executable);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
