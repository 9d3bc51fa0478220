using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Invisible.Runtime;

public static unsafe class Exports
{
    /// <summary>Trivial first call: starts the NativeAOT runtime without a GS cookie (probe pitfall P1).</summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_init")]
    public static int Init() => 1;
}
