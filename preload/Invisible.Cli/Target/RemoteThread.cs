using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Cli.Target;

/// <summary>
/// One thread of another process, ptrace-stopped so that it can make calls for us, the way a debugger's <c>call</c>
/// does: PTRACE_SEIZE + PTRACE_INTERRUPT (no signal the program can see), every register saved (the general ones,
/// and the FP/SSE/AVX state with PTRACE_GETREGSET NT_X86_XSTATE, else PTRACE_GETFPREGS), calls made with rip at the
/// function and a return address of 0 on a stack slot below the red zone (the call ends at the fault at 0), then
/// every register put back and the thread let go. A system call the thread was in is restarted by the kernel when
/// it is let go (its registers say ERESTARTSYS / ERESTART_RESTARTBLOCK again): a sleep is not shortened. Signals
/// that arrive during a call are delivered (their handlers run on top of our frame) and the call goes on; a fault
/// inside the call (SIGSEGV other than the return to 0, SIGBUS, SIGILL, SIGFPE) ends it, never reaches the program.
/// </summary>
internal sealed unsafe partial class RemoteThread : IDisposable
{
    private const long PtraceCont = 7, PtracePeekData = 2, PtracePokeData = 5, PtraceGetRegs = 12, PtraceSetRegs = 13;
    private const long PtraceGetFpRegs = 14, PtraceSetFpRegs = 15, PtraceDetach = 17;
    private const long PtraceGetRegSet = 0x4204, PtraceSetRegSet = 0x4205, PtraceSeize = 0x4206, PtraceInterrupt = 0x4207;
    private const int NtX86Xstate = 0x202;
    private const int WAll = 0x40000000, WNoHang = 1;
    private const int SigSegv = 11, SigTrap = 5, SigStop = 19, SigBus = 7, SigIll = 4, SigFpe = 8;
    public const int RegCount = 27;
    public const int RegRdx = 12, RegRsi = 13, RegRdi = 14, RegRax = 10, RegRcx = 11, RegR8 = 9, RegR9 = 8;
    public const int RegOrigRax = 15, RegRip = 16, RegRsp = 19;
    private const int Eperm = 1, Esrch = 3, Eintr = 4;
    private const int XstateCapacity = 16384, FpRegsSize = 512;
    /// <summary>Bytes below the saved rsp we leave alone: the red zone (128) and some.</summary>
    private const ulong RedZone = 256;

    /// <summary>How long one call may take before we give up (and restore the thread).</summary>
    public const int TimeoutMs = 10_000;

    public int Tid { get; }
    private readonly ulong[] _saved = new ulong[RegCount];
    private readonly byte[] _fpState = new byte[XstateCapacity];
    private int _fpLength;      // bytes of _fpState the kernel gave (XSTATE), or FpRegsSize
    private bool _xstate;       // _fpState came from NT_X86_XSTATE
    private bool _seized, _dirty;
    private ulong _scratch;     // next free byte (downwards) of the scratch area below the red zone

    private RemoteThread(int tid) { Tid = tid; }

    /// <summary>The saved general registers (27 words of user_regs_struct).</summary>
    public ReadOnlySpan<ulong> Registers => _saved;

    /// <summary>Seize and stop thread <paramref name="tid"/> and save its registers; null and a reason on failure.</summary>
    public static RemoteThread? Stop(int tid, out string problem)
    {
        var t = new RemoteThread(tid);
        if (ptrace(PtraceSeize, tid, 0, 0) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            problem = e == Eperm ? PermissionProblem(tid)
                    : e == Esrch ? "no process " + tid
                    : "cannot ptrace process " + tid + ": " + Marshal.GetPInvokeErrorMessage(e);
            return null;
        }
        t._seized = true;
        problem = t.Interrupt();
        if (problem.Length > 0)
        {
            t.Dispose();
            return null;
        }
        return t;
    }

    /// <summary>Why ptrace was refused, with what to change when Yama is the reason.</summary>
    public static string PermissionProblem(int pid)
    {
        int scope = Yama.PtraceScope();
        return scope switch
        {
            1 => "permission denied: cannot ptrace process " + pid + ": kernel.yama.ptrace_scope is 1 (only a parent may " +
                 "attach); run `sudo sysctl kernel.yama.ptrace_scope=0`, or give invisible CAP_SYS_PTRACE",
            2 => "permission denied: cannot ptrace process " + pid + ": kernel.yama.ptrace_scope is 2 (admin only); " +
                 "run as root or with CAP_SYS_PTRACE, or `sudo sysctl kernel.yama.ptrace_scope=0`",
            3 => "permission denied: cannot ptrace process " + pid + ": kernel.yama.ptrace_scope is 3 (no attach at all, " +
                 "until reboot); start the program with `invisible run` instead",
            _ => "permission denied: cannot ptrace process " + pid + " (another user's process, or a setuid program)",
        };
    }

    private string Interrupt()
    {
        if (ptrace(PtraceInterrupt, Tid, 0, 0) != 0)
            return "cannot stop process " + Tid;
        switch (WaitStop(out _, Environment.TickCount64 + TimeoutMs))
        {
            case StopKind.Exited: return "process " + Tid + " exited";
            case StopKind.TimedOut: return "process " + Tid + " did not stop within " + TimeoutMs / 1000 + " s (is it stopped, e.g. by SIGSTOP or a debugger?)";
        }
        fixed (ulong* regs = _saved)
            if (ptrace(PtraceGetRegs, Tid, 0, (nint)regs) != 0)
                return "cannot read the registers of process " + Tid;
        fixed (byte* fp = _fpState)
        {
            Iovec io = new() { Base = (nint)fp, Length = XstateCapacity };
            if (ptrace(PtraceGetRegSet, Tid, NtX86Xstate, (nint)(&io)) == 0)
            {
                _xstate = true;
                _fpLength = (int)io.Length;
            }
            else if (ptrace(PtraceGetFpRegs, Tid, 0, (nint)fp) == 0)
            {
                _xstate = false;
                _fpLength = FpRegsSize;
            }
            else
                return "cannot read the floating-point registers of process " + Tid;
        }
        _scratch = ((_saved[RegRsp] - RedZone) & ~15ul);
        return "";
    }

    /// <summary>Lets the thread run on for <paramref name="microseconds"/> and stops it again (a new safe-point
    /// look); the registers are those of the new stop.</summary>
    public string RunFor(int microseconds)
    {
        if (ptrace(PtraceCont, Tid, 0, 0) != 0)
            return "process " + Tid + " went away";
        if (microseconds > 0) Thread.Sleep(TimeSpan.FromTicks(microseconds * 10L));
        return Interrupt();
    }

    /// <summary>Copies <paramref name="data"/> into the scratch area below the thread's red zone and returns its
    /// address in the target (valid until the thread is let go).</summary>
    public ulong Push(ReadOnlySpan<byte> data)
    {
        _scratch = (_scratch - (ulong)data.Length) & ~15ul;
        for (int i = 0; i < data.Length; i += 8)
        {
            ulong word = 0;
            for (int j = 0; j < 8 && i + j < data.Length; j++) word |= (ulong)data[i + j] << (8 * j);
            PokeWord(_scratch + (ulong)i, word);
        }
        return _scratch;
    }

    public ulong PeekWord(ulong address)
    {
        Marshal.SetLastPInvokeError(0);
        return (ulong)ptrace(PtracePeekData, Tid, (nint)address, 0);
    }

    public bool PokeWord(ulong address, ulong value)
    {
        _dirty = true;
        return ptrace(PtracePokeData, Tid, (nint)address, (nint)value) == 0;
    }

    /// <summary>A NUL-terminated string of the target (at most <paramref name="max"/> bytes).</summary>
    public string PeekString(ulong address, int max = 1024)
    {
        var bytes = new System.Collections.Generic.List<byte>();
        for (int i = 0; i < max; i += 8)
        {
            ulong w = PeekWord(address + (ulong)i);
            for (int j = 0; j < 8; j++)
            {
                byte b = (byte)(w >> (8 * j));
                if (b == 0) return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
                bytes.Add(b);
            }
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Calls <paramref name="function"/> with up to three integer arguments; null with rax, or a one-line
    /// reason why the call could not be made.</summary>
    public string? Call(ulong function, string functionName, out ulong result, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0)
    {
        result = 0;
        ulong* regs = stackalloc ulong[RegCount];
        ulong* now = stackalloc ulong[RegCount];
        for (int i = 0; i < RegCount; i++) regs[i] = _saved[i];
        ulong sp = (_scratch - 64) & ~15ul;
        sp -= 8; // the return address: rsp % 16 == 8 at the function's entry, as after a call
        if (!PokeWord(sp, 0))
            return "cannot write the stack of process " + Tid;
        regs[RegRsp] = sp;
        regs[RegRip] = function;
        regs[RegRdi] = a0;
        regs[RegRsi] = a1;
        regs[RegRdx] = a2;
        regs[RegRax] = 0;
        regs[RegOrigRax] = ulong.MaxValue; // not in a system call: no restart logic on this resume
        if (ptrace(PtraceSetRegs, Tid, 0, (nint)regs) != 0)
            return "cannot set the registers of process " + Tid;
        _dirty = true;
        int signal = 0;
        long deadline = Environment.TickCount64 + TimeoutMs;
        while (true)
        {
            if (ptrace(PtraceCont, Tid, 0, signal) != 0)
                return "process " + Tid + " went away during the call";
            switch (WaitStop(out int stopSignal, deadline))
            {
                case StopKind.Exited: return "process " + Tid + " exited during the call";
                case StopKind.TimedOut: return "process " + Tid + " did not return from " + functionName + " within " + TimeoutMs / 1000 + " s";
            }
            ptrace(PtraceGetRegs, Tid, 0, (nint)now);
            if (stopSignal == SigSegv && now[RegRip] == 0)
            {
                result = now[RegRax];
                return null;
            }
            if (stopSignal is SigSegv or SigBus or SigIll or SigFpe)
            {
                // A fault inside the call is ours (a wrong address, a state the function did not expect): handing
                // it to the program would kill it. The thread is put back as it was (Dispose) and we give up.
                return functionName + " faulted in process " + Tid + " (signal " + stopSignal + " at 0x" +
                       now[RegRip].ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "); the thread was put back as it was";
            }
            signal = stopSignal == SigTrap || stopSignal == SigStop ? 0 : stopSignal;
        }
    }

    /// <summary>Every register back as it was, and the thread let go.</summary>
    public void Dispose()
    {
        if (!_seized) return;
        if (_dirty)
        {
            fixed (ulong* regs = _saved)
                ptrace(PtraceSetRegs, Tid, 0, (nint)regs);
            fixed (byte* fp = _fpState)
            {
                if (_xstate)
                {
                    Iovec io = new() { Base = (nint)fp, Length = (nuint)_fpLength };
                    ptrace(PtraceSetRegSet, Tid, NtX86Xstate, (nint)(&io));
                }
                else if (_fpLength > 0)
                    ptrace(PtraceSetFpRegs, Tid, 0, (nint)fp);
            }
        }
        ptrace(PtraceDetach, Tid, 0, 0);
        _seized = false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Iovec
    {
        public nint Base;
        public nuint Length;
    }

    private enum StopKind { Stopped, Exited, TimedOut }

    private StopKind WaitStop(out int signal, long deadline)
    {
        signal = 0;
        while (true)
        {
            int status;
            int r = waitpid(Tid, &status, WAll | WNoHang);
            if (r == Tid)
            {
                if ((status & 0xff) != 0x7f) return StopKind.Exited;
                signal = (status >> 8) & 0xff;
                return StopKind.Stopped;
            }
            if (r < 0 && Marshal.GetLastPInvokeError() != Eintr) return StopKind.Exited;
            if (Environment.TickCount64 > deadline)
            {
                ptrace(PtraceInterrupt, Tid, 0, 0);
                return StopKind.TimedOut;
            }
            Thread.Sleep(1);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long ptrace(long request, int pid, nint address, nint data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);
}
