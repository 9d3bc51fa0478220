using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Invisible.Cli;

/// <summary><c>invisible run</c>: translate options into INVISIBLE_* variables, put
/// libinvisible.so in LD_PRELOAD and exec the program (so we add no process and no latency:
/// the program's exit status and signals are its own).</summary>
public static unsafe partial class RunCommand
{
    private static readonly Dictionary<string, string> ValuedOptions = new()
    {
        ["--depth"] = "INVISIBLE_DEPTH",
        ["--leak-check"] = "INVISIBLE_LEAK_CHECK",
        ["--show-reachable"] = "INVISIBLE_SHOW_REACHABLE",
        ["--log"] = "INVISIBLE_LOG",
        ["--json"] = "INVISIBLE_JSON",
        ["--error-exitcode"] = "INVISIBLE_ERROR_EXITCODE",
        ["--alloc-fn"] = "INVISIBLE_ALLOC_FN",
        ["--stop-signal"] = "INVISIBLE_STOP_SIGNAL",
        ["--census"] = "INVISIBLE_CENSUS",
    };

    public static int Execute(ReadOnlySpan<string> args)
    {
        var settings = new Dictionary<string, string>();
        int i = 0;
        for (; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            if (!arg.StartsWith('-'))
                break;
            string name = arg, value;
            int eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else if (name == "--census")
            {
                value = "yes";
            }
            else if (ValuedOptions.ContainsKey(name) && i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                return Fail(ValuedOptions.ContainsKey(name) ? "option " + name + " needs a value" : "unknown option '" + arg + "'");
            }
            if (!ValuedOptions.TryGetValue(name, out string? variable))
                return Fail("unknown option '" + arg + "'");
            string? problem = Validate(name, value);
            if (problem is not null)
                return Fail(problem);
            if (name == "--alloc-fn" && settings.TryGetValue(variable, out string? earlier))
                value = earlier + "," + value;
            settings[variable] = value;
        }
        if (i >= args.Length)
            return Fail("no program to run");

        string library = Path.Combine(Program.ExecutableDirectory(), "..", "lib", "libinvisible.so");
        library = Path.GetFullPath(Environment.GetEnvironmentVariable("INVISIBLE_LIBRARY") ?? library);
        if (!File.Exists(library))
            return Fail("cannot find " + library + " (run scripts/build)");

        string program = args[i];
        string? resolved = ResolveProgram(program);
        if (resolved is null)
            return Fail("cannot run '" + program + "': No such file or directory");

        var environment = new Dictionary<string, string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (key, value) in settings)
            environment[key] = value;
        environment.TryGetValue("LD_PRELOAD", out string? preload);
        environment["LD_PRELOAD"] = string.IsNullOrEmpty(preload) ? library : library + ":" + preload;

        var argv = new string[args.Length - i];
        for (int a = i; a < args.Length; a++)
            argv[a - i] = args[a];
        Console.Out.Flush();
        // The .NET runtime ignores SIGPIPE, and an ignored signal stays ignored across exec:
        // give the program back the default, so `invisible run yes | head -1` dies of SIGPIPE.
        signal(SigPipe, SigDefault);
        Exec(resolved, argv, environment);
        int errno = Marshal.GetLastPInvokeError();
        return Fail("cannot run '" + program + "': " + Marshal.GetPInvokeErrorMessage(errno));
    }

    private static string? Validate(string name, string value)
    {
        switch (name)
        {
            case "--depth":
                return int.TryParse(value, out int d) && d >= 1 && d <= 64 ? null : "--depth must be 1..64, not '" + value + "'";
            case "--error-exitcode":
                return int.TryParse(value, out int e) && e >= 0 && e <= 255 ? null : "--error-exitcode must be 0..255, not '" + value + "'";
            case "--stop-signal":
                return int.TryParse(value, out int s) && s >= 1 && s <= 64 ? null : "--stop-signal must be a signal number";
            case "--leak-check":
            case "--show-reachable":
            case "--census":
                return value is "yes" or "no" or "full" ? null : name + " must be yes or no, not '" + value + "'";
            default:
                return value.Length > 0 ? null : name + " needs a value";
        }
    }

    private static string? ResolveProgram(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? program : null;
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (string dir in path.Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return 2;
    }

    private static void Exec(string path, string[] argv, Dictionary<string, string> environment)
    {
        nint[] argvPointers = new nint[argv.Length + 1];
        for (int a = 0; a < argv.Length; a++)
            argvPointers[a] = Marshal.StringToCoTaskMemUTF8(argv[a]);
        nint[] envPointers = new nint[environment.Count + 1];
        int n = 0;
        foreach (var (key, value) in environment)
            envPointers[n++] = Marshal.StringToCoTaskMemUTF8(key + "=" + value);
        nint file = Marshal.StringToCoTaskMemUTF8(path);
        fixed (nint* av = argvPointers)
        fixed (nint* ev = envPointers)
            execve(file, av, ev);
    }

    private const int SigPipe = 13;
    private const nint SigDefault = 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execve(nint path, nint* argv, nint* envp);

    [LibraryImport("libc")]
    private static partial nint signal(int signum, nint handler);
}
