using System;

namespace Invisible.Cli;

/// <summary><c>invisible</c>: the command line. Each sub-command lives in its own class.</summary>
public static class Program
{
    public const string Usage =
        "usage: invisible run [options] [--] PROGRAM [ARGS...]   run PROGRAM with libinvisible.so preloaded\n" +
        "       invisible census [--json FILE] [--report] PID     heap census by type of a running preloaded process\n" +
        "       invisible attach PID [-i | -c CODE | SCRIPT | -]  Python inside a running preloaded process\n" +
        "       invisible python [-c CODE | SCRIPT [ARGS...]]     the Python interpreter\n" +
        "       invisible --help | --version\n" +
        "run options (each is also an INVISIBLE_* environment variable, see README):\n" +
        "  --depth=N               allocation trace depth, 1..64 (default 1)\n" +
        "  --leak-check=yes|no     leak check at exit (default yes)\n" +
        "  --show-reachable=yes|no also list still-reachable blocks (default no)\n" +
        "  --log=FILE              text report to FILE (%p = pid) instead of stderr\n" +
        "  --json=FILE             JSON report to FILE (%p = pid)\n" +
        "  --error-exitcode=N      exit with N when definite or possible leaks exist\n" +
        "  --census                heap census by type at exit\n" +
        "  --alloc-fn=NAME         treat NAME as an allocator wrapper (repeatable)\n" +
        "  --stop-signal=N         signal used to stop threads during a scan\n";

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.Write(Usage);
            return 2;
        }
        switch (args[0])
        {
            case "run":
                // build/bin/invisible (preload/launcher/launcher.c) runs programs itself, before any managed code.
                Console.Error.WriteLine("invisible: `run` is handled by build/bin/invisible, not by this executable");
                return 2;
            case "census":
                return CensusCommand.Execute(args.AsSpan(1));
            case "snapshot": return SnapshotCommand.Execute(args.AsSpan(1));
            case "diff": return DiffCommand.Execute(args.AsSpan(1));
            case "attach":
                return AttachCommand.Execute(args.AsSpan(1));
            case "python":
                return Invisible.DwarfPython.Bridge.Main(args[1..]);
            case "--help":
            case "-h":
            case "help":
                Console.Out.Write(Usage);
                return 0;
            case "--version":
                Console.Out.WriteLine("invisible 0.1");
                return 0;
            default:
                Console.Error.WriteLine("invisible: unknown command '" + args[0] + "'");
                Console.Error.Write(Usage);
                return 2;
        }
    }
}
