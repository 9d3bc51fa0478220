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
            return Request(socket, (withLeaks ? "report" : "census") + (json is null ? "" : " " + json));
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }

    /// <summary>Send one request and copy the response's data frames to stdout. 0 on "ok", 1 on "error", 2 when
    /// the connection broke or the answer is not the protocol.</summary>
    private static int Request(Socket socket, string command)
    {
        try
        {
            socket.Send(Encoding.UTF8.GetBytes(command + "\n"));
        }
        catch (SocketException e)
        {
            return Fail("cannot send the request: " + e.Message);
        }
        var replies = new ReplyReader(socket);
        Stream stdout = Console.OpenStandardOutput();
        while (true)
        {
            string? line = replies.ReadLine();
            if (line is null)
                return Fail(replies.LineTooLong ? "unexpected reply from the target: a line longer than " + ReplyReader.MaxLine + " bytes"
                                                : "process closed the connection");
            (string kind, string argument) = ReplyReader.Split(line);
            switch (kind)
            {
                case "data":
                    if (!ReplyReader.TryParseLength(argument, out long length))
                        return Fail("unexpected reply from the target: " + ReplyReader.Printable(line));
                    if (!replies.Copy(length, stdout))
                        return Fail("process closed the connection");
                    break;
                case "ok":
                    return 0;
                case "error":
                    Console.Error.WriteLine("invisible: " + ReplyReader.Printable(argument));
                    return 1;
                default:
                    return Fail("unexpected reply from the target: " + ReplyReader.Printable(line));
            }
        }
    }
}
