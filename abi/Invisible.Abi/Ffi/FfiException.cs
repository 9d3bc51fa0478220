using System;

namespace Invisible.Abi.Ffi;

/// <summary>Why a call, a conversion or a signature was refused. The bridge maps these to Python exceptions:
/// <see cref="Arity"/> and <see cref="Type"/> → TypeError, <see cref="Range"/> → OverflowError,
/// <see cref="Value"/> → ValueError, <see cref="Unsupported"/>/<see cref="Signature"/> → TypeError,
/// <see cref="Fault"/> → the bridge's fault exception (DwarfPython: <c>process.FaultError</c>).</summary>
public enum FfiErrorKind : byte
{
    /// <summary>Wrong number of arguments.</summary>
    Arity,
    /// <summary>An argument of the wrong kind (str where an integer is expected …).</summary>
    Type,
    /// <summary>A number that does not fit the C type.</summary>
    Range,
    /// <summary>A value of the right kind that C cannot take (embedded NUL, unknown enumerator …).</summary>
    Value,
    /// <summary>A C type libffi cannot pass (complex, incomplete struct, flexible array …).</summary>
    Unsupported,
    /// <summary>A signature string that does not parse.</summary>
    Signature,
    /// <summary>The called native code faulted (SIGSEGV, SIGBUS, SIGFPE, SIGILL) and the call was abandoned by the
    /// fault guard (<see cref="FaultGuard"/>); <see cref="FfiException.Fault"/> says what happened.</summary>
    Fault,
}

/// <summary>A refused call or conversion, raised before anything reaches C; or (kind <see cref="FfiErrorKind.Fault"/>)
/// a call the fault guard abandoned.</summary>
public sealed class FfiException : Exception
{
    public FfiException(FfiErrorKind kind, string message) : base(message) { Kind = kind; }
    public FfiException(FfiErrorKind kind, string message, int argumentIndex) : base(message)
    {
        Kind = kind;
        ArgumentIndex = argumentIndex;
    }
    public FfiErrorKind Kind { get; }
    /// <summary>0-based index of the offending argument; -1 when the error is not about one argument.</summary>
    public int ArgumentIndex { get; } = -1;
    /// <summary>The fault, for <see cref="FfiErrorKind.Fault"/>.</summary>
    public NativeFault Fault { get; init; }
}
