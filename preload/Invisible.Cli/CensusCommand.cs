using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Invisible.Abi.Dwarf;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible census [--json FILE] PID</c>: a heap census of a running, preloaded process, on demand.
/// The target has no listener until asked (no extra thread, no signal handler by default). If its abstract
/// socket "invisible-PID" does not answer, we make one of its threads call <c>invisible_attach_start</c> the
/// way a debugger calls a function: PTRACE_SEIZE + PTRACE_INTERRUPT, save the registers, set rip to the
/// function and a return address of 0 on a fresh stack slot below the red zone, continue until the fault at
/// 0, read rax, restore the registers, detach. Then the census is a request on the socket; the program keeps
/// running during the walk.
/// </summary>
public static unsafe partial class CensusCommand
{
    private const string StartSymbol = "invisible_attach_start";
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
        if (json is not null) json = Path.GetFullPath(json);

        if (!Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            return Fail("no process " + pid);
        string? problem = FindLibrary(pid, out string library, out ulong loadBias);
        if (problem is not null)
            return Fail(problem);

        Socket? socket = Connect(pid);
        if (socket is null)
        {
            problem = StartListener(pid, library, loadBias);
            if (problem is not null)
                return Fail(problem);
            for (int attempt = 0; attempt < 50 && socket is null; attempt++)
            {
                socket = Connect(pid);
                if (socket is null) Thread.Sleep(20);
            }
            if (socket is null)
                return Fail("process " + pid + " started no listener");
        }
        using (socket)
            return Request(socket, (withLeaks ? "report" : "census") + (json is null ? "" : " " + json));
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }

    /// <summary>libinvisible.so's path and load bias in the target, from /proc/PID/maps.</summary>
    internal static string? FindLibrary(int pid, out string library, out ulong loadBias)
    {
        library = "";
        loadBias = 0;
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/maps");
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied: cannot read the memory map of process " + pid + " (another user's process?)";
        }
        catch (IOException)
        {
            return "no process " + pid;
        }
        if (lines.Length == 0)
            return "permission denied: cannot read the memory map of process " + pid + " (another user's process?)";
        foreach (string line in lines)
        {
            // start-end perms offset dev inode path
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[5].EndsWith("/libinvisible.so", StringComparison.Ordinal)) continue;
            if (ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != 0) continue;
            library = f[5].Trim();
            // A shared object's first PT_LOAD has p_vaddr 0: the mapping of file offset 0 is the load bias.
            loadBias = ulong.Parse(f[0].Substring(0, f[0].IndexOf('-')), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            break;
        }
        if (library.Length == 0)
            return "process " + pid + " is not running with libinvisible.so (start it with `invisible run` or LD_PRELOAD)";
        if (!SameUser(pid))
            return "permission denied: process " + pid + " belongs to another user";
        return null;
    }

    private static bool SameUser(int pid)
    {
        try
        {
            foreach (string line in File.ReadAllLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/status"))
            {
                if (!line.StartsWith("Uid:", StringComparison.Ordinal)) continue;
                string[] f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                return f.Length > 1 && uint.Parse(f[1], CultureInfo.InvariantCulture) == getuid();
            }
        }
        catch (IOException) { }
        return false;
    }

    internal static Socket? Connect(int pid)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Abstract name: a leading NUL, no file system entry.
            socket.Connect(new UnixDomainSocketEndPoint("\0invisible-" + pid.ToString(CultureInfo.InvariantCulture)));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Send one request and copy the response's data frames to stdout. 0 on "ok", 1 on "error".</summary>
    private static int Request(Socket socket, string command)
    {
        socket.Send(Encoding.UTF8.GetBytes(command + "\n"));
        using var stream = new NetworkStream(socket, ownsSocket: false);
        Stream stdout = Console.OpenStandardOutput();
        while (true)
        {
            string? line = ReadLine(stream);
            if (line is null)
                return Fail("process closed the connection");
            if (line.StartsWith("data ", StringComparison.Ordinal))
            {
                long remaining = long.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
                var buffer = new byte[65536];
                while (remaining > 0)
                {
                    int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                    if (n <= 0) return Fail("process closed the connection");
                    stdout.Write(buffer, 0, n);
                    remaining -= n;
                }
                stdout.Flush();
                continue;
            }
            if (line == "ok" || line.StartsWith("ok ", StringComparison.Ordinal))
                return 0;
            Console.Error.WriteLine("invisible: " + (line.StartsWith("error ", StringComparison.Ordinal) ? line.Substring(6) : line));
            return 1;
        }
    }

    private static string? ReadLine(Stream stream)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0) return null;
            if (b == '\n') return sb.ToString();
            sb.Append((char)b);
        }
    }

    // ------------------------------------------------------------------ the injected call

    internal static string? StartListener(int pid, string library, ulong loadBias)
    {
        ulong symbol;
        try
        {
            using DwarfModule module = DwarfModule.Open(library);
            ElfSymbol? s = module.FindSymbol(StartSymbol);
            if (s is null || !s.Value.IsFunction)
                return library + " has no " + StartSymbol + " (an older libinvisible.so?)";
            symbol = s.Value.Address;
        }
        catch (DwarfException e)
        {
            return "cannot read " + library + ": " + e.Message;
        }
        return CallInTarget(pid, loadBias + symbol, out long result)
            ?? (result < 0 ? "process " + pid + " could not start its listener: " + Marshal.GetPInvokeErrorMessage((int)-result) : null);
    }

    private const long PtraceCont = 7, PtracePokeData = 5, PtraceGetRegs = 12, PtraceSetRegs = 13, PtraceDetach = 17;
    private const long PtraceSeize = 0x4206, PtraceInterrupt = 0x4207;
    private const int WAll = 0x40000000, WNoHang = 1;
    private const int SigSegv = 11, SigTrap = 5, SigStop = 19;
    private const int RegCount = 27, RegRax = 10, RegRdi = 14, RegOrigRax = 15, RegRip = 16, RegRsp = 19;
    private const int CallTimeoutMs = 10_000;

    /// <summary>Make the target's main thread call <paramref name="function"/>() and return its int result.</summary>
    private static string? CallInTarget(int pid, ulong function, out long result)
    {
        result = 0;
        if (ptrace(PtraceSeize, pid, 0, 0) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            return e == 1 /* EPERM */ ? "permission denied: cannot ptrace process " + pid + " (kernel.yama.ptrace_scope, or another user's process)"
                 : e == 3 /* ESRCH */ ? "no process " + pid
                 : "cannot ptrace process " + pid + ": " + Marshal.GetPInvokeErrorMessage(e);
        }
        ulong* saved = stackalloc ulong[RegCount];
        ulong* regs = stackalloc ulong[RegCount];
        ulong* now = stackalloc ulong[RegCount];
        bool restore = false;
        try
        {
            if (ptrace(PtraceInterrupt, pid, 0, 0) != 0 || !WaitStop(pid, out _))
                return "cannot stop process " + pid;
            if (ptrace(PtraceGetRegs, pid, 0, (nint)saved) != 0)
                return "cannot read the registers of process " + pid;
            for (int i = 0; i < RegCount; i++) regs[i] = saved[i];
            // A fresh frame below the red zone, 16-byte aligned at the call, returning to address 0.
            ulong sp = ((saved[RegRsp] - 256) & ~15ul) - 8;
            if (ptrace(PtracePokeData, pid, (nint)sp, 0) != 0)
                return "cannot write the stack of process " + pid;
            regs[RegRsp] = sp;
            regs[RegRip] = function;
            regs[RegRax] = 0;
            regs[RegOrigRax] = ulong.MaxValue; // not in a syscall: no restart logic on resume
            if (ptrace(PtraceSetRegs, pid, 0, (nint)regs) != 0)
                return "cannot set the registers of process " + pid;
            restore = true;
            int signal = 0;
            long deadline = Environment.TickCount64 + CallTimeoutMs;
            while (true)
            {
                if (ptrace(PtraceCont, pid, 0, signal) != 0)
                    return "process " + pid + " went away during the call";
                if (!WaitStop(pid, out int stopSignal, deadline))
                    return "process " + pid + " did not return from " + StartSymbol + " within " + CallTimeoutMs / 1000 + " s";
                ptrace(PtraceGetRegs, pid, 0, (nint)now);
                if (stopSignal == SigSegv && now[RegRip] == 0)
                {
                    result = (int)(uint)now[RegRax];
                    return null;
                }
                // Another signal arrived meanwhile: deliver it (its handler runs on top of our frame) and go on.
                signal = stopSignal == SigTrap || stopSignal == SigStop ? 0 : stopSignal;
            }
        }
        finally
        {
            if (restore) ptrace(PtraceSetRegs, pid, 0, (nint)saved);
            ptrace(PtraceDetach, pid, 0, 0);
        }
    }

    /// <summary>Wait for the tracee to stop; false on exit or timeout.</summary>
    private static bool WaitStop(int pid, out int signal, long deadline = long.MaxValue)
    {
        signal = 0;
        if (deadline == long.MaxValue) deadline = Environment.TickCount64 + CallTimeoutMs;
        while (true)
        {
            int status;
            int r = waitpid(pid, &status, WAll | WNoHang);
            if (r == pid)
            {
                if ((status & 0xff) != 0x7f) return false; // exited or killed
                signal = (status >> 8) & 0xff;
                return true;
            }
            if (r < 0 && Marshal.GetLastPInvokeError() != 4) return false;
            if (Environment.TickCount64 > deadline)
            {
                ptrace(PtraceInterrupt, pid, 0, 0);
                return false;
            }
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long ptrace(long request, int pid, nint address, nint data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc")]
    private static partial uint getuid();
}
