using System;
using System.Runtime.InteropServices;
using Invisible.Runtime.Interop;

namespace Invisible.Runtime.Python;

/// <summary>The C entry point of the attach Python session (called by libinvisible.so's listener).</summary>
public static unsafe class PythonExports
{
    /// <summary>
    /// Run a Python session on the connected attach socket <paramref name="fd"/> (attach.h protocol);
    /// <paramref name="pending"/> are bytes of the connection the listener already read past the `python`
    /// request line. Returns the session's status (0, or 1 when the code raised); the final "ok STATUS" line
    /// has been sent. -1 only for a bad call. Never throws into C.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_python")]
    public static int Python(QueryApi* api, int fd, byte* pending, ulong pendingLength)
    {
        try
        {
            if (api == null || api->ApiVersion != QueryApi.Version || fd < 0 || pendingLength > int.MaxValue)
                return -1;
            return AttachSession.Run(fd, new ReadOnlySpan<byte>(pending, (int)pendingLength));
        }
        catch (Exception)
        {
            return 1;
        }
    }
}
