using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Cli.Target;

/// <summary>
/// One thread of another process, ptrace-stopped so that it can make calls for us, the way a debugger's <c>call</c>
/// does: PTRACE_SEIZE + PTRACE_INTERRUPT (no signal the program can see), every register saved (the general ones,
/// and the FP/SSE/AVX state with PTRACE_GETREGSET NT_X86_XSTATE, else PTRACE_GETFPREGS). A call
/// (<see cref="CallRestoringItself"/>) returns into a stub that restores the thread itself (rt_sigreturn from a
/// frame written before the call), so that a client killed at any instant (kill -9: the kernel lets the tracee go
/// with the registers it has) never leaves the thread at our registers. A system call the thread was in is made
/// again as the kernel would have (a sleep is not shortened). Signals that arrive during a call are delivered (their
/// handlers run on top of our frame) and the call goes on; a fault inside the call (SIGSEGV, SIGBUS, SIGILL, SIGFPE)
/// ends it and never reaches the program: the registers are put back through ptrace.
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
    private int _detachSignal;  // a signal of the program caught by our last stop, delivered when we let go
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

    /// <summary>The machine code of stub/restoring_call.S (what it does and why: see there).</summary>
    private static ReadOnlySpan<byte> StubCode => new byte[]
    {
        0x48, 0x89, 0xfb, 0x49, 0x89, 0xf4, 0x45, 0x31, 0xed, 0x48, 0x8b, 0x43, 0x18, 0x48, 0x85, 0xc0,
        0x74, 0x08, 0xff, 0xd0, 0x49, 0x89, 0xc5, 0x44, 0x8b, 0x30, 0x48, 0x8b, 0x7b, 0x08, 0x48, 0x8b,
        0x73, 0x10, 0xff, 0x13, 0x48, 0x89, 0x43, 0x28, 0x48, 0x85, 0xc0, 0x75, 0x0f, 0x48, 0x8b, 0x43,
        0x20, 0x48, 0x85, 0xc0, 0x74, 0x06, 0xff, 0xd0, 0x48, 0x89, 0x43, 0x30, 0x4d, 0x85, 0xed, 0x74,
        0x04, 0x45, 0x89, 0x75, 0x00, 0xb8, 0x83, 0x00, 0x00, 0x00, 0x31, 0xff, 0x49, 0x8d, 0x74, 0x24,
        0x10, 0x0f, 0x05, 0xb8, 0x0e, 0x00, 0x00, 0x00, 0x31, 0xff, 0x31, 0xf6, 0x49, 0x8d, 0x94, 0x24,
        0x28, 0x01, 0x00, 0x00, 0x41, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x48, 0xc7, 0x43, 0x38,
        0x01, 0x00, 0x00, 0x00, 0x49, 0x83, 0x7c, 0x24, 0x08, 0x00, 0x74, 0x0f, 0xb8, 0xdb, 0x00, 0x00,
        0x00, 0x0f, 0x05, 0x49, 0x89, 0x84, 0x24, 0x90, 0x00, 0x00, 0x00, 0x4c, 0x89, 0xe4, 0xb8, 0x0f,
        0x00, 0x00, 0x00, 0x0f, 0x05, 0x0f, 0x0b,
    };

    /// <summary>Bytes the stub's code and its block (8 words, in writable memory) take.</summary>
    public const int StubCodeBytes = 160, StubBlockBytes = 64;
    private const int BlockDone = 56, BlockResult = 40, BlockOnNullResult = 48;
    private const int UcontextWords = 38; // uc_flags, uc_link, uc_stack (3), sigcontext (32), uc_sigmask
    private const ulong UcFlags = 7;      // UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
    private const uint FpXstateMagic1 = 0x46505853, FpXstateMagic2 = 0x46505845;
    private const int FpSwBytes = 464;    // struct _fpx_sw_bytes in the fxsave area
    private const long ErestartSys = -512, ErestartNoIntr = -513, ErestartNoHand = -514, ErestartRestartBlock = -516;
    private const int RegEflags = 18, RegCs = 17, RegSs = 20;
    private const ulong DirectionFlag = 0x400;

    /// <summary>Calls <paramref name="function"/>(<paramref name="a0"/>, <paramref name="a1"/>) on this thread so
    /// that the thread comes back exactly as it was whatever becomes of us: the call returns into the code of
    /// stub/restoring_call.S (written at <paramref name="site"/>, unused bytes of an executable mapping; its arguments
    /// and results at <paramref name="block"/>, unused writable bytes), which
    /// keeps errno, calls <paramref name="onNull"/> when the result is 0 (dlerror), and puts every register, the
    /// FP/SSE/AVX state and a system call in progress back itself with rt_sigreturn. Everything it needs is written
    /// before the first register is changed, so a client killed at any instant leaves a thread that finishes the
    /// call and goes on. While we live the call is watched: a fault inside it (SIGSEGV, SIGBUS, SIGILL, SIGFPE) is
    /// ours, never the program's, and the thread is put back through ptrace instead. Null with the results, or a
    /// one-line reason why the call could not be made. The thread is let go by <see cref="Dispose"/> either way.</summary>
    public string? CallRestoringItself(ulong site, ulong block, ulong function, string functionName, ulong a0, ulong a1,
                                       ulong errnoLocation, ulong onNull, out ulong result, out ulong onNullResult)
    {
        result = 0;
        onNullResult = 0;
        if (!PokeBytes(site, StubCode) || !PokeBytes(block, MemoryMarshal.AsBytes<ulong>(
                new ulong[] { function, a0, a1, errnoLocation, onNull, 0, 0, 0 })))
            return "cannot write the call stub into process " + Tid;
        // The frame for rt_sigreturn: the FP state 64-aligned (xrstor), the ucontext below it.
        int fpBytes = _fpLength;
        ulong fp = (_scratch - (ulong)fpBytes - 64) & ~63ul;
        ulong uc = (fp - (ulong)UcontextWords * 8 - 16) & ~15ul;
        ulong sp = (uc - 64) & ~15ul; // the calls' stack: 16-aligned at the stub's entry, as before a call
        if (!WriteFpFrame(fp) || !PokeBytes(uc, MemoryMarshal.AsBytes<ulong>(Ucontext(fp))))
            return "cannot write the stack of process " + Tid;
        ulong* regs = stackalloc ulong[RegCount];
        for (int i = 0; i < RegCount; i++) regs[i] = _saved[i];
        regs[RegRsp] = sp;
        regs[RegRip] = site;
        regs[RegRdi] = block;
        regs[RegRsi] = uc;
        regs[RegRax] = 0;
        regs[RegOrigRax] = ulong.MaxValue; // not in a system call: no restart logic on this resume
        regs[RegEflags] &= ~DirectionFlag;  // the ABI's state at a call
        if (ptrace(PtraceSetRegs, Tid, 0, (nint)regs) != 0)
            return "cannot set the registers of process " + Tid;
        _dirty = true; // from here a fault inside the call is undone through ptrace (Dispose)
        if (ptrace(PtraceCont, Tid, 0, 0) != 0)
            return "process " + Tid + " went away during the call";
        using var memory = OpenMemory();
        long deadline = Environment.TickCount64 + TimeoutMs;
        while (true)
        {
            int status;
            int r = waitpid(Tid, &status, WAll | WNoHang);
            if (r == Tid)
            {
                if ((status & 0xff) != 0x7f) { _seized = false; return "process " + Tid + " exited during the call"; }
                int stopSignal = (status >> 8) & 0xff;
                if (stopSignal is SigSegv or SigBus or SigIll or SigFpe)
                {
                    ulong* now = stackalloc ulong[RegCount];
                    ptrace(PtraceGetRegs, Tid, 0, (nint)now);
                    return functionName + " faulted in process " + Tid + " (signal " + stopSignal + " at 0x" +
                           now[RegRip].ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "); the thread was put back as it was";
                }
                // The program's signals are delivered (their handlers run on top of the call) and the call goes on.
                if (ptrace(PtraceCont, Tid, 0, stopSignal == SigTrap || stopSignal == SigStop ? 0 : stopSignal) != 0)
                    return "process " + Tid + " went away during the call";
                continue;
            }
            if (ReadWord(memory, block + BlockDone) == 1) break;
            if (Environment.TickCount64 > deadline)
            {
                LetGoAsItIs();
                return "process " + Tid + " did not return from " + functionName + " within " + TimeoutMs / 1000 +
                       " s; the thread finishes the call and goes on by itself";
            }
            Thread.Sleep(1);
        }
        result = ReadWord(memory, block + BlockResult);
        onNullResult = ReadWord(memory, block + BlockOnNullResult);
        LetGoAsItIs();
        return null;
    }

    /// <summary>The ucontext rt_sigreturn restores: the saved registers, with a system call the thread was in
    /// rewound to be made again (what the kernel would do when it resumes it: rip - 2 onto the syscall instruction,
    /// rax the call's number), or, for a restart_syscall restart, flagged for the stub (uc_link).</summary>
    private ulong[] Ucontext(ulong fp)
    {
        ulong[] u = new ulong[UcontextWords];
        ulong rip = _saved[RegRip], rax = _saved[RegRax], restart = 0;
        long orig = (long)_saved[RegOrigRax];
        if (orig >= 0)
        {
            long error = (long)rax;
            if (error is ErestartSys or ErestartNoIntr or ErestartNoHand) { rax = (ulong)orig; rip -= 2; }
            else if (error == ErestartRestartBlock) restart = 1;
        }
        u[0] = UcFlags;
        u[1] = restart;
        // u[2..4]: uc_stack, filled by the stub (sigaltstack)
        ulong[] s = _saved;
        ulong[] mcontext =
        {
            s[RegR8], s[RegR9], s[7] /* r10 */, s[6] /* r11 */, s[3] /* r12 */, s[2] /* r13 */, s[1] /* r14 */, s[0] /* r15 */,
            s[RegRdi], s[RegRsi], s[4] /* rbp */, s[5] /* rbx */, s[RegRdx], rax, s[RegRcx], s[RegRsp], rip, s[RegEflags],
        };
        mcontext.CopyTo(u, 5);
        u[23] = (s[RegCs] & 0xffff) | (s[RegSs] & 0xffff) << 48;
        u[28] = fp;
        // u[37]: uc_sigmask, filled by the stub (rt_sigprocmask)
        return u;
    }

    /// <summary>The saved FP state at <paramref name="fp"/> in the signal-frame form rt_sigreturn takes: the xsave
    /// area with its software bytes (magic1, sizes: the kernel's own, as PTRACE_GETREGSET gives them) and magic2
    /// after it. An FXSAVE-only state has no magic: the kernel restores it as such.</summary>
    private bool WriteFpFrame(ulong fp)
    {
        byte[] state = new byte[_fpLength + 8];
        Array.Copy(_fpState, state, _fpLength);
        if (_xstate)
        {
            uint size = (uint)_fpLength;
            if (BitConverter.ToUInt32(state, FpSwBytes) != FpXstateMagic1 || BitConverter.ToUInt32(state, FpSwBytes + 16) > size)
            {
                BitConverter.TryWriteBytes(state.AsSpan(FpSwBytes), FpXstateMagic1);
                BitConverter.TryWriteBytes(state.AsSpan(FpSwBytes + 4), size + 4);           // extended_size
                BitConverter.TryWriteBytes(state.AsSpan(FpSwBytes + 8), BitConverter.ToUInt64(state, 512)); // xfeatures
                BitConverter.TryWriteBytes(state.AsSpan(FpSwBytes + 16), size);              // xstate_size
            }
            size = BitConverter.ToUInt32(state, FpSwBytes + 16);
            BitConverter.TryWriteBytes(state.AsSpan((int)size), FpXstateMagic2);
        }
        else
            Array.Clear(state, FpSwBytes, FpRegsSize - FpSwBytes);
        return PokeBytes(fp, state);
    }

    /// <summary>Stops the thread once more (PTRACE_DETACH needs a stop) and lets it go with the registers it has: it
    /// is in the stub, which restores them itself, or already back in the program. A signal of the program that
    /// this last stop caught is passed on.</summary>
    private void LetGoAsItIs()
    {
        _dirty = false;
        if (ptrace(PtraceInterrupt, Tid, 0, 0) != 0) return;
        if (WaitStop(out int signal, Environment.TickCount64 + TimeoutMs) == StopKind.Stopped &&
            signal != SigTrap && signal != SigStop)
            _detachSignal = signal;
    }

    private bool PokeBytes(ulong address, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i += 8)
        {
            ulong word = 0;
            for (int j = 0; j < 8 && i + j < data.Length; j++) word |= (ulong)data[i + j] << (8 * j);
            if (!PokeWord(address + (ulong)i, word)) return false;
        }
        return true;
    }

    /// <summary>The target's memory, readable while the thread runs (PTRACE_PEEKDATA needs it stopped).</summary>
    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenMemory() =>
        File.OpenHandle("/proc/" + Tid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/mem", FileMode.Open, FileAccess.Read);

    private static ulong ReadWord(Microsoft.Win32.SafeHandles.SafeFileHandle memory, ulong address)
    {
        Span<byte> b = stackalloc byte[8];
        try { return RandomAccess.Read(memory, b, (long)address) == 8 ? BitConverter.ToUInt64(b) : 0; }
        catch (IOException) { return 0; }
    }

    /// <summary>A NUL-terminated string of process <paramref name="pid"/> (at most <paramref name="max"/> bytes),
    /// read through /proc/PID/mem: the thread need not be stopped.</summary>
    public static string ReadString(int pid, ulong address, int max = 1024)
    {
        try
        {
            using var memory = File.OpenHandle("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/mem", FileMode.Open, FileAccess.Read);
            byte[] bytes = new byte[max];
            int n = RandomAccess.Read(memory, bytes, (long)address);
            int end = Array.IndexOf(bytes, (byte)0, 0, Math.Max(n, 0));
            return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? Math.Max(n, 0) : end);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
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
        ptrace(PtraceDetach, Tid, 0, _detachSignal);
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
