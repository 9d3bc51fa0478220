using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Query;
using Invisible.Abi.Unwinding;

namespace Invisible.Abi.Census;

/// <summary>
/// The program's threads' stacks as frame chains, for the typing of blocks from before an attach
/// (<see cref="PointerTyping"/>): libinvisible.so's <c>thread_backtraces</c>, which in the report helper gives the
/// threads as they were stopped when the copy was made (their registers from ptrace, their stacks in the copy), and
/// elsewhere stops the other threads for the walk. The calling thread's own entry is left out (it is ours: the
/// listener, or the report helper's).
/// </summary>
public static unsafe class ThreadFrames
{
    private const int MaxThreads = 4096, MaxFrames = 128;

    /// <summary>One chain per thread with frames; empty when the table has no thread_backtraces (or another stop is in
    /// progress).</summary>
    public static List<FrameChain> Capture(QueryApi* api, ProcessImage image)
    {
        var chains = new List<FrameChain>();
        if (api == null || !api->HasThreadBacktraces || api->ThreadBacktraces == null) return chains;
        // unmanaged buffers: the C side writes them while other threads may be stopped
        var entries = (ThreadBacktrace*)NativeMemory.AllocZeroed((nuint)(MaxThreads * sizeof(ThreadBacktrace)));
        var frames = (ulong*)NativeMemory.AllocZeroed((nuint)((long)MaxThreads * MaxFrames * 2 * sizeof(ulong)));
        try
        {
            for (int i = 0; i < MaxThreads; i++)
            {
                entries[i].Pcs = frames + (long)i * MaxFrames * 2;
                entries[i].Cfas = entries[i].Pcs + MaxFrames;
            }
            int n = api->ThreadBacktraces(entries, MaxThreads, MaxFrames);
            for (int i = 0; i < n; i++)
            {
                ThreadBacktrace* t = &entries[i];
                if ((t->Flags & ThreadBacktrace.Current) != 0 || t->FrameCount <= 0) continue;
                int count = Math.Min(t->FrameCount, MaxFrames);
                FrameRegisters first;
                if ((t->Flags & ThreadBacktrace.HasRegisters) != 0)
                    first = FrameRegisters.All(new ReadOnlySpan<ulong>(t->Registers, ThreadBacktrace.RegisterCount));
                else
                    first = FrameRegisters.StackOnly(0, t->Pcs[0]);
                chains.Add(FrameChain.Build(image, new ReadOnlySpan<ulong>(t->Pcs, count), new ReadOnlySpan<ulong>(t->Cfas, count),
                    first, (t->Flags & ThreadBacktrace.ExactPc) != 0));
            }
        }
        finally
        {
            NativeMemory.Free(frames);
            NativeMemory.Free(entries);
        }
        return chains;
    }
}
