using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Invisible.Abi.SiteTypes;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible wrappers [--force] [--verbose|--quiet] [--] FILE...</c>: find the allocator wrappers of each FILE and of
/// the libraries it needs, and cache them by build id (<see cref="WrapperFill"/>), where libinvisible.so's hooks read
/// them at start to capture deeper inside wrappers only (issue 17). <c>invisible run</c> runs this (quietly) before it
/// starts a program; <c>invisible attach</c> before it injects.
/// </summary>
public static class WrappersCommand
{
    private const int ExitUsage = 2;

    public const string Help =
        "usage: invisible wrappers [--force] [--verbose | --quiet] [--] FILE...\n" +
        "Find the allocator wrappers of each FILE and of the libraries it needs (DT_NEEDED) and cache them by build id\n" +
        "under $XDG_CACHE_HOME/invisible/wrappers/ (else ~/.cache/...). libinvisible.so reads them at start: call sites\n" +
        "inside a wrapper capture up to the first frame outside the wrapper chain, every other site keeps the default\n" +
        "depth. `invisible run` does this before it starts the program; cached files are not scanned again (--force).\n";

    /// <summary>Seconds one file may take before the scan stops with what it found (INVISIBLE_WRAPPERS_BUDGET).</summary>
    private const double DefaultBudgetSeconds = 20;

    public static int Execute(ReadOnlySpan<string> args)
    {
        bool force = false, verbose = false, quiet = false;
        var files = new List<string>();
        bool options = true;
        foreach (string a in args)
        {
            if (options && a == "--") { options = false; continue; }
            if (options && a == "--force") { force = true; continue; }
            if (options && a is "--verbose" or "-v") { verbose = true; continue; }
            if (options && a is "--quiet" or "-q") { quiet = true; continue; }
            if (options && a.StartsWith('-'))
            {
                Console.Error.WriteLine("invisible wrappers: unknown option '" + a + "'");
                Console.Error.Write(Help);
                return ExitUsage;
            }
            files.Add(a);
        }
        if (files.Count == 0)
        {
            Console.Error.Write(Help);
            return ExitUsage;
        }
        foreach (string f in files)
        {
            if (!System.IO.File.Exists(f))
            {
                Console.Error.WriteLine("invisible wrappers: " + f + ": no such file");
                return ExitUsage;
            }
        }
        if (WrapperCache.Directory() is null)
        {
            if (!quiet) Console.Error.WriteLine("invisible wrappers: neither XDG_CACHE_HOME nor HOME names a directory: nothing cached");
            return 1;
        }
        double seconds = DefaultBudgetSeconds;
        string? budget = Environment.GetEnvironmentVariable("INVISIBLE_WRAPPERS_BUDGET");
        if (budget is not null && (!double.TryParse(budget, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || seconds <= 0))
        {
            Console.Error.WriteLine("invisible wrappers: INVISIBLE_WRAPPERS_BUDGET must be a positive number of seconds, not '" + budget + "'");
            return ExitUsage;
        }
        List<WrapperFillLine> lines = WrapperFill.Fill(files, force, TimeSpan.FromSeconds(seconds));
        int failures = 0;
        var text = new StringBuilder();
        foreach (WrapperFillLine line in lines)
        {
            if (line.Scan?.Error is string error)
            {
                failures++;
                Console.Error.WriteLine("invisible wrappers: " + line.Path + ": " + error);
                continue;
            }
            if (quiet) continue;
            text.Append(line.Path).Append(": ");
            if (line.Cached) { text.Append("cached\n"); continue; }
            WrapperScanResult scan = line.Scan!;
            if (scan.RuntimeLibrary) text.Append("C/C++ runtime, not scanned (the unwinder skips its frames)");
            else if (!scan.HasDwarf) text.Append("no DWARF, no wrappers");
            else
            {
                text.Append(scan.Wrappers.Count.ToString(CultureInfo.InvariantCulture)).Append(" wrappers of ")
                    .Append(scan.Functions.ToString(CultureInfo.InvariantCulture)).Append(" functions");
                if (scan.TimedOut) text.Append(" (time budget reached: the set may be incomplete)");
            }
            text.Append(", ").Append(scan.Milliseconds.ToString("0", CultureInfo.InvariantCulture)).Append(" ms\n");
            if (verbose)
            {
                scan.Wrappers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var (name, extra) in scan.Wrappers)
                    text.Append("  ").Append(name).Append(" +").Append(extra.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        Console.Out.Write(text.ToString());
        return failures == 0 ? 0 : 1;
    }
}
