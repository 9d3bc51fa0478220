using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Cli.Target;

/// <summary>
/// Makes one thread of another process call a function that takes no arguments and returns an int, the way a
/// debugger's <c>call</c> does: PTRACE_SEIZE + PTRACE_INTERRUPT (no signal the program can see), save the
/// registers, set rip to the function and a return address of 0 on a fresh stack slot below the red zone, continue
/// until the fault at 0, read rax, restore the registers, detach. Signals that arrive meanwhile are delivered (their
/// handlers run on top of our frame) and the call goes on.
/// </summary>
internal static unsafe partial class RemoteCall
{
    private const long PtraceCont = 7, PtracePokeData = 5, PtraceGetRegs = 12, PtraceSetRegs = 13, PtraceDetach = 17;
    private const long PtraceSeize = 0x4206, PtraceInterrupt = 0x4207;
    private const int WAll = 0x40000000, WNoHang = 1;
    private const int SigSegv = 11, SigTrap = 5, SigStop = 19;
    private const int RegCount = 27, RegRax = 10, RegOrigRax = 15, RegRip = 16, RegRsp = 19;
    private const int Eperm = 1, Esrch = 3, Eintr = 4;

    /// <summary>How long the call may take before we give up (and restore the thread).</summary>
    public const int TimeoutMs = 10_000;

    /// <summary>Calls <paramref name="function"/> (an address in the target) and returns null with its int
    /// result, or a one-line reason why the call could not be made.</summary>
    public static string? Call(int pid, ulong function, string functionName, out long result)
    {
        result = 0;
        if (ptrace(PtraceSeize, pid, 0, 0) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            return e == Eperm ? "permission denied: cannot ptrace process " + pid + " (kernel.yama.ptrace_scope, or another user's process)"
                 : e == Esrch ? "no process " + pid
                 : "cannot ptrace process " + pid + ": " + Marshal.GetPInvokeErrorMessage(e);
        }
        ulong* saved = stackalloc ulong[RegCount];
        ulong* regs = stackalloc ulong[RegCount];
        ulong* now = stackalloc ulong[RegCount];
        bool restore = false;
        try
        {
            if (ptrace(PtraceInterrupt, pid, 0, 0) != 0)
                return "cannot stop process " + pid;
            switch (WaitStop(pid, out _, Environment.TickCount64 + TimeoutMs))
            {
                case Stop.Exited: return "process " + pid + " exited";
                case Stop.TimedOut: return "process " + pid + " did not stop within " + TimeoutMs / 1000 + " s (is it stopped, e.g. by SIGSTOP or a debugger?)";
            }
            if (ptrace(PtraceGetRegs, pid, 0, (nint)saved) != 0)
                return "cannot read the registers of process " + pid;
            for (int i = 0; i < RegCount; i++) regs[i] = saved[i];
            ulong sp = ((saved[RegRsp] - 256) & ~15ul) - 8;
            if (ptrace(PtracePokeData, pid, (nint)sp, 0) != 0)
                return "cannot write the stack of process " + pid;
            regs[RegRsp] = sp;
            regs[RegRip] = function;
            regs[RegRax] = 0;
            regs[RegOrigRax] = ulong.MaxValue; // not in a system call: no restart logic on resume
            if (ptrace(PtraceSetRegs, pid, 0, (nint)regs) != 0)
                return "cannot set the registers of process " + pid;
            restore = true;
            int signal = 0;
            long deadline = Environment.TickCount64 + TimeoutMs;
            while (true)
            {
                if (ptrace(PtraceCont, pid, 0, signal) != 0)
                    return "process " + pid + " went away during the call";
                switch (WaitStop(pid, out int stopSignal, deadline))
                {
                    case Stop.Exited: return "process " + pid + " exited during the call";
                    case Stop.TimedOut: return "process " + pid + " did not return from " + functionName + " within " + TimeoutMs / 1000 + " s";
                }
                ptrace(PtraceGetRegs, pid, 0, (nint)now);
                if (stopSignal == SigSegv && now[RegRip] == 0)
                {
                    result = (int)(uint)now[RegRax];
                    return null;
                }
                signal = stopSignal == SigTrap || stopSignal == SigStop ? 0 : stopSignal;
            }
        }
        finally
        {
            if (restore) ptrace(PtraceSetRegs, pid, 0, (nint)saved);
            ptrace(PtraceDetach, pid, 0, 0);
        }
    }

    private enum Stop { Stopped, Exited, TimedOut }

    private static Stop WaitStop(int pid, out int signal, long deadline)
    {
        signal = 0;
        while (true)
        {
            int status;
            int r = waitpid(pid, &status, WAll | WNoHang);
            if (r == pid)
            {
                if ((status & 0xff) != 0x7f) return Stop.Exited;
                signal = (status >> 8) & 0xff;
                return Stop.Stopped;
            }
            if (r < 0 && Marshal.GetLastPInvokeError() != Eintr) return Stop.Exited;
            if (Environment.TickCount64 > deadline)
            {
                ptrace(PtraceInterrupt, pid, 0, 0);
                return Stop.TimedOut;
            }
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long ptrace(long request, int pid, nint address, nint data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);
}
