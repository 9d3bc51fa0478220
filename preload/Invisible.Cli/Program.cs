using System;

namespace Invisible.Cli;

/// <summary><c>invisible</c>: the command line. Each sub-command lives in its own class and has one entry in
/// <see cref="Commands"/> (its one-line summary for <c>invisible --help</c>, its help for
/// <c>invisible COMMAND --help</c>, its entry point).</summary>
public static class Program
{
    private const int ExitUsage = 2;

    private delegate int Handler(ReadOnlySpan<string> args);

    private readonly record struct Command(string Name, string Summary, string Help, Handler Execute);

    public const string RunHelp =
        "usage: invisible run [options] [--] PROGRAM [ARGS...]\n" +
        "Run PROGRAM with libinvisible.so preloaded: leak report at exit (valgrind's categories).\n" +
        "options (each is also an INVISIBLE_* environment variable, see README):\n" +
        "  --depth=N               allocation trace depth, 1..64 (default 1)\n" +
        "  --leak-check=yes|no     leak check at exit (default yes)\n" +
        "  --show-reachable=yes|no also list still-reachable blocks (default no)\n" +
        "  --log=FILE              text report to FILE (%p = pid) instead of stderr\n" +
        "  --json=FILE             JSON report to FILE (%p = pid); `invisible report` converts it\n" +
        "  --error-exitcode=N      exit with N when definite or possible leaks exist\n" +
        "  --census                heap census by type at exit\n" +
        "  --profile               allocation profile: per-site counts, temporaries, the heap's peak (JSON `profile`)\n" +
        "  --snapshot-every=S      a JSON snapshot every S seconds next to the --json report\n" +
        "  --alloc-fn=NAME         treat NAME as an allocator wrapper (repeatable)\n" +
        "  --stop-signal=N         signal used to stop threads during a scan\n" +
        "  --suppressions=FILE     leak suppressions: LSan's leak:PATTERN lines, valgrind's { ... } blocks (repeatable)\n" +
        "  --show-leak-kinds=K     records listed: definite,indirect,possible,reachable | all | none\n" +
        "  --errors-for-leak-kinds=K  kinds that count for --error-exitcode (default definite,possible)\n" +
        "  --gen-suppressions=yes|all|no  a valgrind suppression block after each record listed\n" +
        "  --quiet                 the leak report's records only; nothing when there is no leak\n" +
        "  --color=auto|always|never  colours in the text report (auto: when it goes to a terminal)\n";

    private const string CensusHelp =
        "usage: invisible census [--json FILE] [--report] PID\n" +
        "Heap census by type of a running preloaded process (the program keeps running).\n" +
        "  --json FILE   also write the census as JSON to FILE\n" +
        "  --report      a leak check too\n";

    private const string AttachHelp =
        "usage: invisible attach PID [-i | -c CODE | SCRIPT | -] [ARGS...]\n" +
        "Python (DwarfPython) inside a running preloaded process: `import process` sees its heap and globals.\n" +
        "  -i        interactive prompt even when stdin is not a terminal\n" +
        "  -c CODE   run CODE\n" +
        "  SCRIPT    run a script file (- = stdin)\n";

    private const string SnapshotHelp =
        "usage: invisible snapshot PID -o FILE\n" +
        "The JSON report of a running preloaded process now (leaks, census, the profile under --profile);\n" +
        "its threads are stopped with ptrace for the scan, their sleeps and system calls are not cut short.\n";

    private const string DiffHelp =
        "usage: invisible diff A.json B.json\n" +
        "Growth between two reports or snapshots, by allocation site and by type, largest first.\n";

    private const string PythonHelp =
        "usage: invisible python [-c CODE | SCRIPT [ARGS...]]\n" +
        "The Python interpreter (DwarfPython) in this process: `import c` and native modules.\n";

    // One line per command; keep it so (branches add commands by adding lines).
    private static readonly Command[] Commands =
    {
        new("run", "run PROGRAM with libinvisible.so preloaded (leak report at exit)", RunHelp, RunIsTheLaunchers),
        new("attach", "Python inside a running preloaded process", AttachHelp, AttachCommand.Execute),
        new("census", "heap census by type of a running preloaded process", CensusHelp, CensusCommand.Execute),
        new("python", "the Python interpreter (DwarfPython)", PythonHelp, args => Invisible.DwarfPython.Bridge.Main(args.ToArray())),
        new("report", "convert a saved JSON report: text, pprof, collapsed, speedscope, html", Report.ReportCommand.Help, Report.ReportCommand.Execute),
        new("snapshot", "the JSON report of a running preloaded process, now", SnapshotHelp, SnapshotCommand.Execute),
        new("diff", "growth by site and by type between two reports or snapshots", DiffHelp, DiffCommand.Execute),
        new("wrappers", "find and cache the allocator wrappers of a program and its libraries", WrappersCommand.Help, WrappersCommand.Execute),
    };

    /// <summary><c>invisible --help</c>: every command with one line.</summary>
    public static string Usage()
    {
        var sb = new System.Text.StringBuilder("usage: invisible COMMAND [ARGS...]\n\ncommands:\n");
        foreach (Command c in Commands)
            sb.Append("  ").Append(c.Name.PadRight(10)).Append(c.Summary).Append('\n');
        sb.Append("\n`invisible COMMAND --help` says what COMMAND takes; `invisible --version` prints the version.\n");
        return sb.ToString();
    }

    private static int RunIsTheLaunchers(ReadOnlySpan<string> args)
    {
        // build/bin/invisible (preload/launcher/launcher.c) runs programs itself, before any managed code.
        Console.Error.WriteLine("invisible: `run` is handled by build/bin/invisible, not by this executable");
        return ExitUsage;
    }

    public static int Main(string[] args)
    {
        // build/bin/python3 (a link to the launcher, which hands us its argv): CPython's command line, as
        // `invisible python` takes it; it is the interpreter's sys.executable
        if (Invisible.Python.PythonMain.InvokedAsPython())
            return Invisible.DwarfPython.Bridge.Main(args);
        if (args.Length == 0)
        {
            Console.Error.Write(Usage());
            return ExitUsage;
        }
        switch (args[0])
        {
            case "--help":
            case "-h":
            case "help":
                if (args.Length > 1 && Find(args[1]) is Command topic)
                {
                    Console.Out.Write(topic.Help);
                    return 0;
                }
                Console.Out.Write(Usage());
                return 0;
            case "--version":
                Console.Out.WriteLine("invisible 0.1");
                return 0;
        }
        if (Find(args[0]) is not Command command)
        {
            Console.Error.WriteLine((args[0].StartsWith('-') ? "invisible: unknown option '" : "invisible: unknown command '") + args[0] + "'");
            Console.Error.Write(Usage());
            return ExitUsage;
        }
        if (args.Length > 1 && args[1] is "--help" or "-h")
        {
            Console.Out.Write(command.Help);
            return 0;
        }
        return command.Execute(args.AsSpan(1));
    }

    private static Command? Find(string name)
    {
        foreach (Command c in Commands)
            if (c.Name == name) return c;
        return null;
    }
}
