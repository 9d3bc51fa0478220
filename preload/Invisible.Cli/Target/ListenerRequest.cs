using System;
using System.IO;
using System.Net.Sockets;
using System.Text;

namespace Invisible.Cli.Target;

/// <summary>
/// One request on a target's attach listener (preload/libinvisible's protocol, `include/invisible.h`): the command
/// line, then the answer's frames: `data N` (N bytes follow, copied to the caller's sink), then `ok` or `error TEXT`.
/// A malformed or broken answer is a message, never a crash.
/// </summary>
public static class ListenerRequest
{
    public const int ExitOk = 0, ExitError = 1, ExitProtocol = 2;

    /// <summary>Sends <paramref name="command"/> and copies the data frames to <paramref name="data"/>. 0 on "ok",
    /// 1 on "error" (its text on stderr), 2 when the connection broke or the answer is not the protocol.</summary>
    public static int Run(Socket socket, string command, Stream data)
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
                    if (!replies.Copy(length, data))
                        return Fail("process closed the connection");
                    break;
                case "ok":
                    return ExitOk;
                case "error":
                    Console.Error.WriteLine("invisible: " + ReplyReader.Printable(argument));
                    return ExitError;
                default:
                    return Fail("unexpected reply from the target: " + ReplyReader.Printable(line));
            }
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitProtocol;
    }
}
