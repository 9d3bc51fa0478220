using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Invisible.Abi.Native;

/// <summary>The dynamic linker's list of loaded objects in this process (dl_iterate_phdr).</summary>
internal static unsafe class LoadedObjects
{
    internal readonly struct Entry
    {
        public Entry(string path, ulong bias) { Path = path; Bias = bias; }
        /// <summary>File path (the main program resolved through /proc/self/exe).</summary>
        public string Path { get; }
        /// <summary>Load bias (dlpi_addr).</summary>
        public ulong Bias { get; }
    }

    internal sealed class Snapshot
    {
        internal readonly List<Entry> Items = new();
        public ulong Adds;
        public ulong Subs;
        public int Count => Items.Count;
        public Entry this[int i] => Items[i];
    }

    private struct Raw
    {
        public ulong Addr;
        public nint Name;   // strdup'ed copy
    }

    private struct Collector
    {
        public Raw* Items;
        public int Count;
        public int Capacity;
        public ulong Adds;
        public ulong Subs;
    }

    [UnmanagedCallersOnly]
    private static int Callback(DlPhdrInfo* info, nuint size, void* data)
    {
        // Runs under the loader lock: no managed allocation, only copy out.
        var c = (Collector*)data;
        if (c->Count == 0)
        {
            c->Adds = info->Adds;
            c->Subs = info->Subs;
        }
        if (c->Count == c->Capacity)
        {
            int cap = c->Capacity * 2;
            var bigger = (Raw*)NativeMemory.Alloc((nuint)(cap * sizeof(Raw)));
            Buffer.MemoryCopy(c->Items, bigger, cap * sizeof(Raw), c->Count * sizeof(Raw));
            NativeMemory.Free(c->Items);
            c->Items = bigger;
            c->Capacity = cap;
        }
        nint copy = 0;
        if (info->Name != null)
        {
            nuint len = 0;
            while (info->Name[len] != 0) len++;
            copy = (nint)NativeMemory.Alloc(len + 1);
            Buffer.MemoryCopy(info->Name, (void*)copy, (long)len + 1, (long)len + 1);
        }
        c->Items[c->Count++] = new Raw { Addr = info->Addr, Name = copy };
        return 0;
    }

    /// <summary>All loaded objects with a file on disk (the vdso is skipped).</summary>
    internal static Snapshot Take()
    {
        var c = new Collector { Capacity = 64, Items = (Raw*)NativeMemory.Alloc((nuint)(64 * sizeof(Raw))) };
        var snap = new Snapshot();
        try
        {
            LibC.dl_iterate_phdr(&Callback, &c);
            snap.Adds = c.Adds;
            snap.Subs = c.Subs;
            for (int i = 0; i < c.Count; i++)
            {
                string? name = LibDw.Str((byte*)c.Items[i].Name);
                if (i == 0 && string.IsNullOrEmpty(name))
                {
                    // thread-self: /proc/self/exe is unreadable once the main thread has left through pthread_exit.
                    try { name = File.ResolveLinkTarget("/proc/thread-self/exe", false)?.FullName; } catch (IOException) { name = null; }
                }
                if (string.IsNullOrEmpty(name) || name[0] != '/' && !File.Exists(name)) continue;
                snap.Items.Add(new Entry(name, c.Items[i].Addr));
            }
        }
        finally
        {
            for (int i = 0; i < c.Count; i++) if (c.Items[i].Name != 0) NativeMemory.Free((void*)c.Items[i].Name);
            NativeMemory.Free(c.Items);
        }
        return snap;
    }

    /// <summary>dwfl_report_elf for one loaded object: its Dwfl_Module, or 0 (and the dwfl error is set) on failure.
    /// Inside a program the file is opened here, out of the program's descriptor numbers (libdw keeps it open for
    /// the module's life: <see cref="RuntimeDescriptors"/>); elsewhere libdw opens it.</summary>
    internal static nint ReportElf(nint dwfl, string path, ulong bias)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(path);
        byte* buf = stackalloc byte[n + 1];
        fixed (char* p = path) System.Text.Encoding.UTF8.GetBytes(p, path.Length, buf, n);
        buf[n] = 0;
        int fd = RuntimeDescriptors.OpenForLibdw(buf);
        nint module = LibDw.dwfl_report_elf(dwfl, buf, buf, fd, bias, 1);
        if (module == 0 && fd >= 0) RuntimeDescriptors.Close(fd); // libdw takes a descriptor it was given only on success
        return module;
    }
}
