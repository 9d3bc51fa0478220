using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Invisible.Cli.Target;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible census [--json FILE] [--report] PID</c>: a heap census of a running, preloaded process, on demand:
/// one request on the target's attach listener (<see cref="TargetProcess"/> finds or starts it); the program keeps
/// running during the walk.
/// </summary>
public static class CensusCommand
{
    private const int ExitUsage = 2;

    public static int Execute(ReadOnlySpan<string> args)
    {
        string? json = null;
        string? pidText = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--json" && i + 1 < args.Length) json = args[++i];
            else if (a.StartsWith("--json=", StringComparison.Ordinal)) json = a.Substring(7);
            else if (a == "--report") { }
            else if (a.StartsWith('-')) return Fail("census: unknown option '" + a + "'");
            else if (pidText is null) pidText = a;
            else return Fail("census: unexpected argument '" + a + "'");
        }
        bool withLeaks = args.IndexOf("--report") >= 0;
        if (pidText is null || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            return Fail("usage: invisible census [--json FILE] [--report] PID");
        if (json is not null)
        {
            if (json.Contains('\n')) return Fail("census: a JSON path cannot contain a newline");
            json = Path.GetFullPath(json);
        }

        TargetProcess? target = TargetProcess.Open(pid, out string problem);
        if (target is null)
            return Fail(problem);
        Socket? socket = target.ConnectListener(out problem);
        if (socket is null)
            return Fail(problem);
        using (socket)
            return ListenerRequest.Run(socket, (withLeaks ? "report" : "census") + (json is null ? "" : " " + json), Console.OpenStandardOutput());
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }
}
