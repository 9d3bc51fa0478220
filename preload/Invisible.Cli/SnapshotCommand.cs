using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Invisible.Cli.Target;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible snapshot PID -o FILE</c>: the JSON report of a running, preloaded process now (leak check, census by
/// type, and the allocation profile when it runs with --profile), through its attach listener: the listener's
/// <c>report</c> request. The leak check stops the program's threads with ptrace for the scan; a system call a thread
/// was in is restarted by the kernel, so its sleeps and reads are not cut short.
/// </summary>
public static class SnapshotCommand
{
    private const int ExitUsage = 2;

    public static int Execute(ReadOnlySpan<string> args)
    {
        string? output = null;
        string? pidText = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if ((a == "-o" || a == "--output") && i + 1 < args.Length) output = args[++i];
            else if (a.StartsWith("--output=", StringComparison.Ordinal)) output = a.Substring(9);
            else if (a.StartsWith('-')) return Fail("snapshot: unknown option '" + a + "'");
            else if (pidText is null) pidText = a;
            else return Fail("snapshot: unexpected argument '" + a + "'");
        }
        if (pidText is null || output is null || output.Length == 0 ||
            !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            return Fail("usage: invisible snapshot PID -o FILE");
        if (output.Contains('\n'))
            return Fail("snapshot: a file name cannot contain a newline");
        output = Path.GetFullPath(output);

        TargetProcess? target = TargetProcess.Open(pid, out string problem);
        if (target is null)
            return Fail(problem);
        Socket? socket = target.ConnectListener(out problem);
        if (socket is null)
            return Fail(problem);
        using (socket)
            return ListenerRequest.Run(socket, "report " + output, Stream.Null);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }
}
