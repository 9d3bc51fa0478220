using System;
using System.Collections.Generic;
using System.IO;

namespace Invisible.Abi.SiteTypes;

/// <summary>One file's line in <c>invisible wrappers</c>' answer.</summary>
public readonly record struct WrapperFillLine(string Path, string BuildId, bool Cached, WrapperScanResult? Scan);

/// <summary>
/// Fills the wrapper cache (<see cref="WrapperCache"/>) for a program and the libraries it needs (DT_NEEDED,
/// transitively, found as the loader finds them: DT_RUNPATH/DT_RPATH, LD_LIBRARY_PATH, the system directories).
/// Files already cached are only checked (their build id read); the rest are scanned (<see cref="WrapperScan"/>).
/// </summary>
public static class WrapperFill
{
    private static readonly string[] SystemDirectories =
    {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
    };

    public static List<WrapperFillLine> Fill(IEnumerable<string> programs, bool force, TimeSpan budgetPerFile)
    {
        var lines = new List<WrapperFillLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>();
        foreach (string p in programs) pending.Enqueue(Path.GetFullPath(p));
        string[] libraryPath = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        while (pending.Count > 0)
        {
            string path = pending.Dequeue();
            string real = RealPath(path);
            if (!seen.Add(real)) continue;
            using ElfImage? elf = ElfImage.Open(real);
            if (elf is null) continue;
            var (needed, runPath) = elf.Dependencies(real);
            foreach (string name in needed)
                if (Resolve(name, runPath, libraryPath) is string lib) pending.Enqueue(lib);
            string? cachePath = WrapperCache.PathFor(elf.BuildId);
            if (cachePath is null) continue; // no build id (or no cache directory): nothing to key it by
            if (!force && File.Exists(cachePath))
            {
                lines.Add(new WrapperFillLine(real, elf.BuildId, true, null));
                continue;
            }
            // The C and C++ runtimes' frames are never part of a trace (the unwinder skips them), so their
            // wrappers would cost a walk and give nothing: cached as having none, unscanned.
            WrapperScanResult scan = IsRuntimeLibrary(real) ? new WrapperScanResult(real, elf.BuildId) { RuntimeLibrary = true }
                                                            : WrapperScan.Scan(real, budgetPerFile);
            if (scan.Error is null)
            {
                try { WrapperCache.Write(cachePath, scan.Ranges, scan.TimedOut ? WrapperCache.FlagTimedOut : 0); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { scan.Error = "cannot write " + cachePath + ": " + e.Message; }
            }
            lines.Add(new WrapperFillLine(real, elf.BuildId, false, scan));
        }
        return lines;
    }

    /// <summary>The libraries malloc-instrument's unwinder skips (trace/unwind.h, INVISIBLE_UNWIND_SKIP_RUNTIME_LIBS).</summary>
    private static bool IsRuntimeLibrary(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith("libc.so", StringComparison.Ordinal) || name.StartsWith("ld-linux", StringComparison.Ordinal) ||
               name.StartsWith("libstdc++.so", StringComparison.Ordinal) || name.StartsWith("libgcc_s.so", StringComparison.Ordinal);
    }

    private static string RealPath(string path)
    {
        try
        {
            FileSystemInfo? target = File.ResolveLinkTarget(path, true);
            return target?.FullName ?? path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return path; }
    }

    private static string? Resolve(string name, List<string> runPath, string[] libraryPath)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        foreach (string d in libraryPath) if (File.Exists(Path.Combine(d, name))) return Path.Combine(d, name);
        foreach (string d in runPath) if (File.Exists(Path.Combine(d, name))) return Path.Combine(d, name);
        foreach (string d in SystemDirectories) if (File.Exists(Path.Combine(d, name))) return Path.Combine(d, name);
        return null;
    }
}
