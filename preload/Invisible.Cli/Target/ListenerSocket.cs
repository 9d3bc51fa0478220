using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;

namespace Invisible.Cli.Target;

/// <summary>
/// Finds and connects to the attach listener of one process (preload/libinvisible/src/attach.c). Abstract socket
/// names belong to nobody, so before a single byte is sent the peer is checked: SO_PEERCRED of a connected unix
/// socket names the process that called listen(), and it must be the target itself.
/// The listener normally listens on "@invisible-PID"; when another process held that name first it listens on
/// "@invisible-PID-0xRANDOM", which we find among the target's own descriptors (/proc/PID/fd socket inodes that
/// /proc/net/unix lists as listening under that prefix).
/// </summary>
internal static class ListenerSocket
{
    private const int SolSocket = 1, SoPeerCred = 17;
    private const int UnixAcceptingFlag = 0x10000; // __SO_ACCEPTCON in /proc/net/unix's Flags column

    /// <summary>The outcome of looking for the listener.</summary>
    public enum Found { Connected, None, Impostor }

    /// <summary>Connect to the target's listener. <see cref="Found.Impostor"/> (with <paramref name="impostor"/>
    /// describing it) when the well-known name is held by another process and the target has no listener of its
    /// own: nothing was sent to it.</summary>
    public static Found Connect(int pid, out Socket? socket, out string impostor)
    {
        socket = null;
        impostor = "";
        string name = "invisible-" + pid.ToString(CultureInfo.InvariantCulture);
        Socket? candidate = TryConnect(name);
        if (candidate is not null)
        {
            if (PeerIsTarget(candidate, pid, out impostor))
            {
                socket = candidate;
                return Found.Connected;
            }
            candidate.Dispose();
        }
        foreach (string other in ListeningNames(pid, name + "-"))
        {
            candidate = TryConnect(other);
            if (candidate is null) continue;
            if (PeerIsTarget(candidate, pid, out _))
            {
                socket = candidate;
                return Found.Connected;
            }
            candidate.Dispose();
        }
        return impostor.Length > 0 ? Found.Impostor : Found.None;
    }

    private static Socket? TryConnect(string abstractName)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint("\0" + abstractName));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>SO_PEERCRED: the listener's pid (the process that called listen()) must be the target's. Its uid
    /// is the one the target had then, which need not be its uid now (a service that dropped privileges), so it is
    /// shown for an impostor but not compared.</summary>
    private static bool PeerIsTarget(Socket socket, int pid, out string impostor)
    {
        impostor = "";
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        }
        catch (SocketException)
        {
            length = 0;
        }
        if (length < 8)
        {
            impostor = "a listener whose credentials cannot be read";
            return false;
        }
        int peerPid = BitConverter.ToInt32(credentials[..4]);
        uint peerUid = BitConverter.ToUInt32(credentials.Slice(4, 4));
        if (peerPid == pid)
            return true;
        impostor = "process " + peerPid.ToString(CultureInfo.InvariantCulture) + " (uid " +
                   peerUid.ToString(CultureInfo.InvariantCulture) + ")";
        return false;
    }

    /// <summary>Abstract names starting with <paramref name="prefix"/> on which the target itself listens.</summary>
    private static List<string> ListeningNames(int pid, string prefix)
    {
        var names = new List<string>();
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/fd"))
            {
                string? link = new FileInfo(fd).LinkTarget;
                if (link is not null && link.StartsWith("socket:[", StringComparison.Ordinal) && link.EndsWith(']'))
                    inodes.Add(link.Substring(8, link.Length - 9));
            }
            if (inodes.Count == 0) return names;
            foreach (string line in File.ReadLines("/proc/net/unix"))
            {
                // Num RefCount Protocol Flags Type St Inode Path
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 8 || !f[7].StartsWith("@" + prefix, StringComparison.Ordinal)) continue;
                if (!int.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int flags) ||
                    (flags & UnixAcceptingFlag) == 0 || !inodes.Contains(f[6]))
                    continue;
                names.Add(f[7].Substring(1));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return names;
    }
}
