using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using Invisible.Abi.Dwarf;

namespace Invisible.Cli.Target;

/// <summary>
/// A running process that a live command (<c>invisible census PID</c>, <c>invisible attach PID</c>) talks to: where
/// libinvisible.so is loaded in it, and a verified connection to its attach listener, started on demand. The target
/// has no listener until asked (no extra thread, no signal handler); we make one of its threads call
/// <c>invisible_attach_start</c> (<see cref="Injection"/>), then connect (<see cref="ListenerSocket"/>). A process
/// started without invisible is first made to dlopen our libinvisible.so (<see cref="Injection.LoadLibrary"/>). Who may
/// connect is decided by the listener at every connection (the kernel's ptrace rule); what we check here is that
/// we talk to the target and not to an impostor, and we refuse early, with a one-line reason, what cannot work.
/// </summary>
internal sealed class TargetProcess
{
    private const string StartSymbol = "invisible_attach_start";
    private const int ListenerWaitMs = 1000;

    public int Pid { get; }

    /// <summary>Path of libinvisible.so as the target mapped it.</summary>
    public string Library { get; private set; }

    /// <summary>Load bias of libinvisible.so in the target.</summary>
    public ulong LoadBias { get; private set; }

    private TargetProcess(int pid, string library, ulong loadBias)
    {
        Pid = pid;
        Library = library;
        LoadBias = loadBias;
    }

    private string ProcDirectory => "/proc/" + Pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>The process <paramref name="pid"/> if a live command can work on it; otherwise null and a reason.</summary>
    public static TargetProcess? Open(int pid, out string problem)
    {
        string proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        problem = "no process " + pid;
        if (pid <= 0 || !Directory.Exists(proc))
            return null;
        if (!ReadState(proc, out char state))
            return null;
        if (state is 'Z' or 'X')
        {
            problem = "process " + pid + " has exited (zombie)";
            return null;
        }
        if (state is 'T' or 't')
        {
            problem = "process " + pid + " is stopped (" + (state == 'T' ? "by a signal" : "by a debugger") +
                      "); resume it first (kill -CONT " + pid + ")";
            return null;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(proc + "/maps");
        }
        catch (UnauthorizedAccessException)
        {
            lines = Array.Empty<string>();
        }
        catch (IOException)
        {
            return null;
        }
        if (lines.Length == 0)
        {
            problem = "permission denied: cannot read the memory map of process " + pid + " (another user's process?)";
            return null;
        }
        // Without libinvisible.so the target is injected when a listener is needed (Library stays empty till then).
        FindLibrary(lines, out string library, out ulong loadBias);
        problem = "";
        return new TargetProcess(pid, library, loadBias);
    }

    /// <summary>libinvisible.so's path and load bias from the lines of /proc/PID/maps: the nearest read-only
    /// offset-0 mapping at or below its first executable one (the runtime's libdw may map the file again, privately
    /// and writable, at offset 0; a shared object's first PT_LOAD has p_vaddr 0).</summary>
    private static bool FindLibrary(string[] maps, out string library, out ulong loadBias)
    {
        library = "";
        loadBias = 0;
        ulong text = 0;
        foreach (string line in maps)
        {
            // start-end perms offset dev inode path
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[5].EndsWith("/libinvisible.so", StringComparison.Ordinal) || f[1][2] != 'x') continue;
            int dash = f[0].IndexOf('-');
            if (dash <= 0 || !ulong.TryParse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out text)) continue;
            library = f[5].Trim();
            break;
        }
        if (library.Length == 0) return false;
        bool found = false;
        foreach (string line in maps)
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[5].Trim() != library || f[1][1] == 'w') continue;
            if (!ulong.TryParse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong offset) || offset != 0) continue;
            int dash = f[0].IndexOf('-');
            if (dash <= 0 || !ulong.TryParse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)) continue;
            if (start <= text && (!found || start > loadBias))
            {
                loadBias = start;
                found = true;
            }
        }
        if (!found) library = "";
        return found;
    }

    /// <summary>The state letter of /proc/PID/status (R, S, D, T, t, Z, X, ...).</summary>
    private static bool ReadState(string proc, out char state)
    {
        state = '?';
        try
        {
            foreach (string line in File.ReadLines(proc + "/status"))
            {
                if (!line.StartsWith("State:", StringComparison.Ordinal)) continue;
                string s = line.Substring(6).Trim();
                if (s.Length > 0) state = s[0];
                break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return state != '?';
    }

    /// <summary>A connection to the target's own listener, starting the listener first when nobody listens yet.</summary>
    public Socket? ConnectListener(out string problem)
    {
        ListenerSocket.Found found = ListenerSocket.Connect(Pid, out Socket? socket, out string impostor);
        if (found == ListenerSocket.Found.Connected)
        {
            problem = "";
            return socket;
        }
        // No listener of the target's own (an impostor on the well-known name does not stop it: the listener
        // then picks a name of its own).
        string? failure = StartListener();
        if (failure is not null)
        {
            problem = failure;
            return null;
        }
        long deadline = Environment.TickCount64 + ListenerWaitMs;
        do
        {
            found = ListenerSocket.Connect(Pid, out socket, out string other);
            if (found == ListenerSocket.Found.Connected)
            {
                problem = "";
                return socket;
            }
            if (other.Length > 0) impostor = other;
            Thread.Sleep(20);
        }
        while (Environment.TickCount64 < deadline);
        problem = impostor.Length > 0
            ? "the attach socket of process " + Pid + " is held by " + impostor + ", not by process " + Pid + "; nothing was sent to it"
            : "process " + Pid + " started no listener";
        return null;
    }

    /// <summary>The libinvisible.so made to be loaded late: build/lib/late/ (global-dynamic TLS), beside the CLI's
    /// build/libexec/.</summary>
    private static string OwnLibrary()
    {
        string cli = Environment.ProcessPath ?? AppContext.BaseDirectory;
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(cli) ?? ".", "..", "lib", "late", "libinvisible.so"));
    }

    /// <summary>Loads libinvisible.so into a target that does not have it; null, or why not.</summary>
    private string? Inject()
    {
        string library = OwnLibrary();
        if (!File.Exists(library))
            return "cannot find " + library + " to load into process " + Pid;
        FillWrapperCache();
        Injection? injection = Injection.Open(Pid, out string problem);
        if (injection is null) return problem;
        string? failure = injection.LoadLibrary(library);
        if (failure is not null) return failure;
        string[] maps;
        try { maps = File.ReadAllLines(ProcDirectory + "/maps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "process " + Pid + " went away"; }
        if (!FindLibrary(maps, out string mapped, out ulong bias))
            return "process " + Pid + " loaded " + library + " but it is not in its memory map";
        Library = mapped;
        LoadBias = bias;
        return null;
    }

    /// <summary>The allocator wrappers of the code the target has mapped, cached before libinvisible.so starts in
    /// it (it reads them at start: the adaptive capture depth, issue 17), as <c>invisible run</c> does before exec.
    /// Best effort: the attach goes on whatever happens here.</summary>
    private void FillWrapperCache()
    {
        if (Environment.GetEnvironmentVariable("INVISIBLE_WRAPPERS") == "no") return;
        try
        {
            var files = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string line in File.ReadAllLines(ProcDirectory + "/maps"))
            {
                // address perms offset dev inode path: executable mappings of files only
                string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 6 && parts[1].Length > 2 && parts[1][2] == 'x' && parts[5].StartsWith('/') && seen.Add(parts[5]) &&
                    File.Exists(parts[5]))
                    files.Add(parts[5]);
            }
            Invisible.Abi.SiteTypes.WrapperFill.Fill(files, false, TimeSpan.FromSeconds(20));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private string? StartListener()
    {
        if (Library.Length == 0)
        {
            string? injected = Inject();
            if (injected is not null) return injected;
        }
        ulong symbol;
        try
        {
            using DwarfModule module = DwarfModule.Open(Library);
            ElfSymbol? s = module.FindSymbol(StartSymbol);
            if (s is null || !s.Value.IsFunction)
                return Library + " has no " + StartSymbol + " (an older libinvisible.so?)";
            symbol = s.Value.Address;
        }
        catch (DwarfException e)
        {
            return "cannot read " + Library + ": " + e.Message;
        }
        Injection? injection = Injection.Open(Pid, out string problem);
        if (injection is null) return problem;
        string? failure = injection.CallInt(LoadBias + symbol, StartSymbol, out long result);
        if (failure is not null)
            return failure;
        return result < 0 ? "process " + Pid + " could not start its listener: " + Marshal.GetPInvokeErrorMessage((int)-result) : null;
    }

    /// <summary>"alive", "zombie" or "gone": what became of the target (after a lost connection).</summary>
    public string State()
    {
        try
        {
            foreach (string l in File.ReadLines(ProcDirectory + "/status"))
                if (l.StartsWith("State:", StringComparison.Ordinal))
                    return l.Contains('Z') || l.Contains('X') ? "zombie" : "alive";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return "gone";
    }
}
