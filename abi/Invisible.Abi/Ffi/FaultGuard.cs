using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Invisible.Abi.Ffi;

/// <summary>What the fault guard saw when it abandoned a call (libinvisible.so's <c>invisible_fault</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct NativeFault
{
    public readonly int Signal;
    public readonly int Code;
    public readonly ulong Address;
    public readonly ulong Pc;

    public NativeFault(int signal, int code, ulong address, ulong pc)
    {
        Signal = signal;
        Code = code;
        Address = address;
        Pc = pc;
    }

    public const int SIGILL = 4, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

    public string SignalName => Signal switch
    {
        SIGSEGV => "SIGSEGV",
        SIGBUS => "SIGBUS",
        SIGFPE => "SIGFPE",
        SIGILL => "SIGILL",
        _ => "signal " + Signal.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary><c>strlen: SIGSEGV at address 0x0 (the call was abandoned)</c>; SIGFPE/SIGILL name the instruction
    /// and the kind (<c>div: SIGFPE, integer divide by zero, at 0x7f… (the call was abandoned)</c>).</summary>
    public string Describe(string function)
    {
        string where = Signal is SIGSEGV or SIGBUS
            ? " at address 0x" + Address.ToString("x", CultureInfo.InvariantCulture)
            : (Detail is { } d ? ", " + d + "," : "") + " at 0x" + Pc.ToString("x", CultureInfo.InvariantCulture);
        return function + ": " + SignalName + where + " (the call was abandoned)";
    }

    private string? Detail => (Signal, Code) switch
    {
        (SIGFPE, 1) => "integer divide by zero",
        (SIGFPE, 2) => "integer overflow",
        (SIGFPE, _) => "arithmetic exception",
        (SIGILL, _) => "illegal instruction",
        _ => null,
    };
}

/// <summary>
/// Every native call made through libffi goes through here: when libinvisible.so is loaded, the call runs under its
/// fault guard (<c>invisible_guarded_call</c>, preload/libinvisible/src/faultguard.c, gdb's <c>unwindonsignal</c>):
/// a SIGSEGV/SIGBUS/SIGFPE/SIGILL raised by the called native code abandons the call and becomes an
/// <see cref="FfiException"/> of kind <see cref="FfiErrorKind.Fault"/> instead of killing the process. Without
/// libinvisible.so (xunit under the JIT, an embedding without it) calls are plain <c>ffi_call</c>s.
/// </summary>
/// <remarks>
/// Not safe after an abandoned call: whatever the callee held (malloc's arena lock, a FILE lock) stays held, what it
/// allocated leaks, what it was writing stays half-written — as after gdb's unwind. A callback from C into managed
/// code (<see cref="FfiClosure"/>) suspends the guard for its duration (<see cref="Suspend"/>), so a fault in managed
/// code always reaches the .NET runtime's own handler and no managed frame is ever unwound by the guard.
/// </remarks>
public static unsafe partial class FaultGuard
{
    private static delegate* unmanaged<nint, void*, nint, void*, void**, NativeFault*, int> s_guarded;
    private static delegate* unmanaged<nint*> s_thread;
    private static delegate* unmanaged<int> s_prepareThread;
    private static nint s_ffiCall;
    private static int s_state; // 0: not looked up, 1: guarded, -1: plain calls

    /// <summary>The calling thread's innermost-guard slot in libinvisible.so (null until the thread's first
    /// guarded call).</summary>
    [ThreadStatic] private static nint* t_top;

    [LibraryImport("libc.so.6", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlsym(nint handle, string name);

    /// <summary>True when calls run under the guard (libinvisible.so is loaded).</summary>
    public static bool Active
    {
        get
        {
            if (s_state == 0) Init();
            return s_state > 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Init()
    {
        // INVISIBLE_FAULT_GUARD=0: plain calls (to measure what the guard costs, or to let a debugger see the fault).
        if (Environment.GetEnvironmentVariable("INVISIBLE_FAULT_GUARD") == "0")
        {
            s_state = -1;
            return;
        }
        // RTLD_DEFAULT: libinvisible.so preloaded, or dlopened globally by an attach injection.
        nint guarded = dlsym(0, "invisible_guarded_call");
        nint thread = dlsym(0, "invisible_fault_guard_thread");
        nint managed = dlsym(0, "invisible_fault_guard_managed_code");
        nint prepare = dlsym(0, "invisible_fault_guard_prepare_thread");
        nint ffi = 0;
        if (guarded != 0 && thread != 0 && NativeLibrary.TryLoad(LibFfi.Lib, out nint lib))
            NativeLibrary.TryGetExport(lib, "ffi_call", out ffi);
        if (guarded == 0 || thread == 0 || ffi == 0)
        {
            s_state = -1;
            return;
        }
        // Faults in the object holding this code (the managed code) are never the guard's.
        if (managed != 0) ((delegate* unmanaged<void*, void>)managed)((delegate* unmanaged<FfiCif*, void*, void**, void*, void>)&ManagedCodeMarker);
        s_ffiCall = ffi;
        s_thread = (delegate* unmanaged<nint*>)thread;
        s_prepareThread = (delegate* unmanaged<int>)prepare;
        s_guarded = (delegate* unmanaged<nint, void*, nint, void*, void**, NativeFault*, int>)guarded;
        s_state = 1;
    }

    [UnmanagedCallersOnly]
    private static void ManagedCodeMarker(FfiCif* cif, void* ret, void** args, void* user) { }

    /// <summary>Gives the calling thread (one that runs the interpreter: the attach listener, <c>invisible
    /// python</c>'s thread) a signal stack, so that a native stack overflow inside a guarded call is caught too.</summary>
    public static void PrepareThread()
    {
        if (Active && s_prepareThread != null) s_prepareThread();
    }

    /// <summary><c>ffi_call(cif, function, rvalue, avalue)</c> under the guard; a fault throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Call(FfiCif* cif, nint function, void* rvalue, void** avalue, FfiSignature signature)
    {
        CallErrno.BeforeCall();
        if (s_state <= 0 && !Active)
        {
            LibFfi.ffi_call(cif, function, rvalue, avalue);
            CallErrno.AfterCall();
            return;
        }
        if (t_top == null) t_top = s_thread();
        NativeFault fault;
        int signal = s_guarded(s_ffiCall, cif, function, rvalue, avalue, &fault);
        CallErrno.AfterCall();
        if (signal != 0) throw Abandoned(in fault, function, signature);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static FfiException Abandoned(in NativeFault fault, nint function, FfiSignature signature)
    {
        string name = signature.Name ?? "function at 0x" + ((ulong)function).ToString("x", CultureInfo.InvariantCulture);
        return new FfiException(FfiErrorKind.Fault, fault.Describe(name)) { Fault = fault };
    }

    /// <summary>Managed code is about to run inside whatever native call is in progress on this thread (a callback):
    /// the guard stands aside until <see cref="Resume"/>. Returns what Resume needs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Suspend()
    {
        nint* top = t_top;
        if (top == null) return 0; // no guarded call was ever made on this thread: nothing to suspend
        nint saved = *top;
        *top = 0;
        return saved;
    }

    /// <summary>The callback returns to native code: the guard that was armed before it is armed again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Resume(nint saved)
    {
        if (saved != 0) *t_top = saved;
    }
}
