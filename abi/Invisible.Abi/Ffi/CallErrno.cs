using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Invisible.Abi.Ffi;

/// <summary>
/// errno as the last native call left it, per thread (what ctypes gives with <c>use_errno=True</c>): the value is
/// taken right after each call made through <see cref="FfiCall"/>, before any other code of ours can change it (reading
/// memory, allocating, the runtime's own system calls all may), so <c>c.errno</c> after <c>c.open(...)</c> is open's.
/// A value stored here (<c>c.errno = 0</c>) is put into errno just before the next call, as C code does before
/// <c>strtol</c>.
/// </summary>
public static class CallErrno
{
    [ThreadStatic] private static int t_value;
    [ThreadStatic] private static bool t_pending;

    /// <summary>errno after this thread's last native call (or the value stored for the next one).</summary>
    public static int Value
    {
        get => t_value;
        set { t_value = value; t_pending = true; }
    }

    /// <summary>Just before a call: a stored value becomes errno.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void BeforeCall()
    {
        if (t_pending) Apply();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Apply()
    {
        t_pending = false;
        Marshal.SetLastSystemError(t_value);
    }

    /// <summary>Right after a call: keep what it left in errno.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AfterCall() => t_value = Marshal.GetLastSystemError();
}
