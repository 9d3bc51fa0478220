using System;
using System.Runtime.InteropServices;
using Invisible.Abi.Census;
using Invisible.Abi.Query;

namespace Invisible.Runtime.Python;

/// <summary>The C entry point of the attach Python session (called by libinvisible.so's listener).</summary>
public static unsafe class PythonExports
{
    /// <summary>
    /// Run a Python session on the connected attach socket <paramref name="fd"/> (protocol in invisible.h);
    /// <paramref name="pending"/> are bytes of the connection the listener already read past the `python`
    /// request line. Returns the session's status (0..255: 0, 1 when the code raised, 130 for KeyboardInterrupt,
    /// SystemExit's code); the caller sends the final "ok STATUS" line. -1 only for a bad call. Never throws into C.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_python")]
    public static int Python(QueryApi* api, int fd, byte* pending, ulong pendingLength)
    {
        try
        {
            if (api == null || api->ApiVersion != QueryApi.Version || fd < 0 || pendingLength > int.MaxValue)
                return -1;
            int rc = AttachSession.Run(fd, new ReadOnlySpan<byte>(pending, (int)pendingLength));
            // the copy of the heap made before the runtime first started here dies with this session's thread: walk it
            // now if process.heap did not, so that later sessions still tell the program's blocks from the runtime's
            SessionHeap.TakeBaseline();
            return rc;
        }
        catch (Exception)
        {
            return 1;
        }
    }

    /// <summary>
    /// Ctrl-C of the attach client, called by libinvisible.so's session relay (its own thread) the moment an
    /// "interrupt" message arrives, before the message itself reaches the session: while the session runs code,
    /// KeyboardInterrupt is raised at its next loop back-edge or call (<see cref="Invisible.Python.PythonEngine.RequestInterrupt"/> of the session's engine).
    /// Returns 1 when the running code was asked to stop, 0 when the session is idle at its prompt (the message
    /// then prints KeyboardInterrupt there, as CPython's prompt does). Never throws into C.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_python_interrupt")]
    public static int Interrupt()
    {
        try
        {
            return AttachSession.InterruptArrived() ? 1 : 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }
}
