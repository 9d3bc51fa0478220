using System;
using System.Threading;
using NMem = System.Runtime.InteropServices.NativeMemory;

namespace Invisible.Abi.Ffi;

/// <summary>
/// Native memory owned by a managed object: struct results of calls, struct values built by the caller.
/// Zeroed at allocation, 16-byte aligned, freed by <see cref="Dispose"/> or by the finalizer when unreachable.
/// Hand <see cref="Address"/> to C only while something keeps this block alive.
/// </summary>
public sealed unsafe class NativeBlock : IDisposable
{
    private nint _address;

    private NativeBlock(nint address, int size, FfiType? type)
    {
        _address = address; Size = size; Type = type;
    }

    /// <summary>A zeroed block of at least <paramref name="size"/> bytes (never less than 16).</summary>
    public static NativeBlock Allocate(int size, FfiType? type = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        nuint n = (nuint)Math.Max(size, 16);
        void* p = NMem.AlignedAlloc(n, 16);
        NMem.Clear(p, n);
        return new NativeBlock((nint)p, size, type);
    }

    public nint Address
    {
        get
        {
            nint a = _address;
            ObjectDisposedException.ThrowIf(a == 0, this);
            return a;
        }
    }
    public int Size { get; }
    /// <summary>The struct/union type the block holds, if any.</summary>
    public FfiType? Type { get; }
    public Span<byte> Span => new((void*)Address, Size);

    public void Dispose()
    {
        nint a = Interlocked.Exchange(ref _address, 0);
        if (a != 0) NMem.AlignedFree((void*)a);
        GC.SuppressFinalize(this);
    }

    ~NativeBlock()
    {
        nint a = Interlocked.Exchange(ref _address, 0);
        if (a != 0) NMem.AlignedFree((void*)a);
    }
}
