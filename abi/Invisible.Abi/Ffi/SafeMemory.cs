using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Invisible.Abi.Ffi;

/// <summary>
/// Reads and writes of this process's memory that never crash on a wild pointer: the copy is done by the kernel
/// (<c>process_vm_readv</c>/<c>process_vm_writev</c> on our own pid), which reports an unmapped or protected page
/// as a short count instead of a fault. Writes respect page protections (a read-only page is refused, unlike
/// <c>/proc/self/mem</c>). Costs one system call per access (~0.3–1 µs).
/// </summary>
/// <remarks>Named <c>SafeMemory</c>, not <c>NativeMemory</c>, so that it never shadows
/// <see cref="System.Runtime.InteropServices.NativeMemory"/> in files that use both.</remarks>
public static unsafe partial class SafeMemory
{
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint process_vm_readv(int pid, IoVec* local, ulong liovcnt, IoVec* remote, ulong riovcnt, ulong flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint process_vm_writev(int pid, IoVec* local, ulong liovcnt, IoVec* remote, ulong riovcnt, ulong flags);

    [LibraryImport("libc.so.6")]
    private static partial int getpid();

    // Not cached: after fork() a cached pid would copy from the parent.
    private static int Pid => getpid();

    /// <summary>Copies <c>destination.Length</c> bytes from <paramref name="address"/>. False (and nothing
    /// promised about <paramref name="destination"/>) if any byte is unreadable.</summary>
    public static bool TryRead(nint address, Span<byte> destination)
    {
        if (destination.IsEmpty) return true;
        if (address == 0) return false;
        fixed (byte* d = destination)
        {
            IoVec local = new() { Base = d, Len = (nuint)destination.Length };
            IoVec remote = new() { Base = (void*)address, Len = (nuint)destination.Length };
            nint r = process_vm_readv(Pid, &local, 1, &remote, 1, 0);
            return r == destination.Length;
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="address"/>. False if any byte is not mapped
    /// writable (a partial write may have happened up to the first bad page).</summary>
    public static bool TryWrite(nint address, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty) return true;
        if (address == 0) return false;
        fixed (byte* s = source)
        {
            IoVec local = new() { Base = s, Len = (nuint)source.Length };
            IoVec remote = new() { Base = (void*)address, Len = (nuint)source.Length };
            nint r = process_vm_writev(Pid, &local, 1, &remote, 1, 0);
            return r == source.Length;
        }
    }

    /// <summary>Reads one unmanaged value (a field, a pointer to follow).</summary>
    public static bool TryRead<T>(nint address, out T value) where T : unmanaged
    {
        T v = default;
        bool ok = TryRead(address, new Span<byte>(&v, sizeof(T)));
        value = ok ? v : default;
        return ok;
    }

    /// <summary>Writes one unmanaged value.</summary>
    public static bool TryWrite<T>(nint address, T value) where T : unmanaged =>
        TryWrite(address, new ReadOnlySpan<byte>(&value, sizeof(T)));

    /// <summary>Follows a pointer: reads the pointer-sized value at <paramref name="address"/>.</summary>
    public static bool TryReadPointer(nint address, out nint value) => TryRead(address, out value);

    /// <summary>True if all of [address, address+length) is readable.</summary>
    public static bool IsReadable(nint address, int length)
    {
        Span<byte> probe = stackalloc byte[256];
        while (length > 0)
        {
            int n = Math.Min(length, probe.Length);
            if (!TryRead(address, probe.Slice(0, n))) return false;
            address += n;
            length -= n;
        }
        return true;
    }

    /// <summary>A NUL-terminated string (UTF-8, invalid bytes replaced) of at most <paramref name="maxBytes"/> bytes.
    /// Reads page-wise, so a string ending just before an unmapped page is still read. False if the first byte is
    /// unreadable or no NUL was found within the readable part and the limit.</summary>
    public static bool TryReadCString(nint address, out string? value, int maxBytes = 1 << 20)
    {
        value = null;
        if (address == 0) return false;
        var buf = new byte[Math.Min(maxBytes, 256)];
        int len = 0;
        nint p = address;
        while (len < maxBytes)
        {
            // Never cross a page boundary in one read: the part before a bad page still counts.
            int room = (int)(4096 - (p & 4095));
            int want = Math.Min(room, Math.Min(256, maxBytes - len));
            if (len + want > buf.Length) Array.Resize(ref buf, Math.Min(maxBytes, Math.Max(buf.Length * 2, len + want)));
            Span<byte> chunk = buf.AsSpan(len, want);
            if (!TryRead(p, chunk)) return false;
            int z = chunk.IndexOf((byte)0);
            if (z >= 0)
            {
                value = Encoding.UTF8.GetString(buf, 0, len + z);
                return true;
            }
            len += want;
            p += want;
        }
        return false;
    }
}
