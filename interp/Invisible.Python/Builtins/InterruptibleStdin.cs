using System.Threading.Tasks;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>input() while the interpreter owns the process's console (<c>invisible python</c>): Ctrl-C raises
/// KeyboardInterrupt at once, as in CPython, where the signal interrupts the read. .NET retries a read a signal
/// interrupts, so the read of the console's stdin runs on a helper thread and input() waits for it in short
/// slices, checking for an interrupt between them. A line that arrives after the interrupt is not lost: the next
/// read takes it. Any other sys.stdin (a Python object, an attach session's socket) is read directly.</summary>
internal static class InterruptibleStdin
{
    private const int SliceMs = 10;

    public static volatile bool Enabled;
    private static Task<string?>? s_pending;

    public static string? ReadLine(Vm.InterpreterState interp)
    {
        SysModule sys = interp.Sys;
        if (!Enabled || sys.Module.ModDict.GetOrNull("stdin") != sys.Stdin)
            return sys.ReadStdinLine();
        Task<string?> read = s_pending ?? Task.Factory.StartNew(sys.ReadStdinLine, TaskCreationOptions.LongRunning);
        s_pending = read;
        while (!read.Wait(SliceMs))
        {
            if (interp.ClearInterrupt())
                throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
        }
        s_pending = null;
        return read.GetAwaiter().GetResult();
    }
}
