using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Invisible.Abi.Dwarf;

namespace Invisible.Cli.Target;

/// <summary>
/// Calls into a running process from one of its threads stopped at a safe point: <see cref="LoadLibrary"/> makes
/// a plain process (not started under invisible) dlopen libinvisible.so; <see cref="CallInt"/> calls a function of
/// it (<c>invisible_attach_start</c>). A thread is safe when it holds none of the locks the call needs: it is not
/// running glibc's allocator (its functions, by symbol: libc6-dbg's .symtab when installed, else .dynsym), not in
/// the dynamic loader's code, and not waiting on a futex that lives in libc's or ld.so's data or in a malloc arena's
/// header (an allocator or loader lock). An unsafe thread is run on for 200 µs and looked at again, up to 2 s; then
/// the next thread is tried. The thread's errno is read before the calls and written back after them.
/// </summary>
internal sealed class Injection
{
    private const int SysFutex = 202;
    private const long ErestartMin = -516, ErestartMax = -512; // ERESTARTSYS..ERESTART_RESTARTBLOCK, the "in a syscall" rax
    private const int RtldNow = 2, RtldGlobal = 0x100; // global: the runtime finds our exports with RTLD_DEFAULT
    private const ulong ArenaHeapSize = 64ul << 20; // HEAP_MAX_SIZE on x86-64: a non-main arena's header is at its start
    private const int StepMicroseconds = 200, SafeBudgetMs = 2000;

    private static readonly string[] AllocatorPrefixes =
    {
        "_int_", "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc", "__libc_memalign", "__libc_valloc",
        "__libc_pvalloc", "__libc_mallopt", "__malloc", "malloc", "_mid_memalign", "sysmalloc", "systrim", "tcache",
        "arena_", "reused_arena", "get_free_list", "unlink_chunk", "munmap_chunk", "mremap_chunk", "heap_trim",
        "new_heap", "alloc_new_heap", "shrink_heap", "ptmalloc", "mtrim", "mallinfo", "int_mallinfo", "mallopt",
        "__libc_fork", "_Fork", "__pthread_create", "pthread_create", "dl_iterate_phdr", "__dl_iterate_phdr", "_dl_",
        "__libc_dl", "__dlopen", "__dlclose", "__dlsym", "dlopen", "dlclose", "dlsym", "dlmopen", "dladdr", "dlinfo",
    };
    private static readonly HashSet<string> AllocatorNames = new(StringComparer.Ordinal)
    {
        "free", "calloc", "realloc", "memalign", "valloc", "pvalloc", "aligned_alloc", "posix_memalign",
        "__posix_memalign", "fork", "cfree",
    };

    private readonly int _pid;
    private readonly Mapping _libc, _loader;
    private readonly List<(ulong Start, ulong End)> _lockData = new();
    private DwarfModule? _libcModule;

    private Injection(int pid, Mapping libc, Mapping loader)
    {
        _pid = pid;
        _libc = libc;
        _loader = loader;
    }

    private readonly record struct Mapping(string Path, ulong Bias, ulong TextStart, ulong TextEnd);

    /// <summary>What we need to know of the target's libc and loader; null and a reason when it has none (a
    /// static program).</summary>
    public static Injection? Open(int pid, out string problem)
    {
        string[] maps;
        try { maps = File.ReadAllLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/maps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = "cannot read the memory map of process " + pid;
            return null;
        }
        Mapping? libc = Find(maps, IsLibc), loader = Find(maps, IsLoader);
        if (libc is null || loader is null)
        {
            problem = "process " + pid + " has no dynamically linked glibc (a static program?): nothing to load libinvisible.so with";
            return null;
        }
        var injection = new Injection(pid, libc.Value, loader.Value);
        foreach (string line in maps)
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[1][1] != 'w') continue;
            if (Contiguous(libc.Value, line) || Contiguous(loader.Value, line)) injection._lockData.Add(Range(f[0]));
        }
        problem = "";
        return injection;
    }

    private static bool IsLibc(string path) => Path.GetFileName(path).StartsWith("libc.so", StringComparison.Ordinal) ||
                                               Path.GetFileName(path).StartsWith("libc-2.", StringComparison.Ordinal);

    private static bool IsLoader(string path) => Path.GetFileName(path).StartsWith("ld-linux", StringComparison.Ordinal);

    private static (ulong Start, ulong End) Range(string field)
    {
        int dash = field.IndexOf('-');
        return (ulong.Parse(field.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(field.AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    /// <summary>The object's load bias and code range. Its file may be mapped more than once (libdw maps a file it
    /// reads, privately and writable, at offset 0): the object is the first executable mapping, and its bias the
    /// nearest read-only offset-0 mapping of the same file at or below it (a shared object's first PT_LOAD has
    /// p_vaddr 0).</summary>
    private static Mapping? Find(string[] maps, Func<string, bool> which)
    {
        string? path = null;
        ulong textStart = 0, textEnd = 0;
        foreach (string line in maps)
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[5].Trim().StartsWith('/') || !which(f[5].Trim()) || f[1][2] != 'x') continue;
            path = f[5].Trim();
            (textStart, textEnd) = Range(f[0]);
            break;
        }
        if (path is null) return null;
        ulong bias = 0;
        bool found = false;
        foreach (string line in maps)
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || f[5].Trim() != path || f[1][1] == 'w' || f[2].TrimStart('0').Length != 0) continue;
            var (start, _) = Range(f[0]);
            if (start <= textStart && (!found || start > bias))
            {
                bias = start;
                found = true;
            }
        }
        return found ? new Mapping(path, bias, textStart, textEnd) : null;
    }

    /// <summary>The lines of the object's own mappings (those from its load bias to the end of its last
    /// contiguous mapping), for the lock-data ranges.</summary>
    private static bool Contiguous(Mapping m, string line)
    {
        string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 6 || f[5].Trim() != m.Path) return false;
        var (start, _) = Range(f[0]);
        return start >= m.Bias && start < m.TextEnd + (64ul << 20);
    }

    private DwarfModule LibcModule => _libcModule ??= DwarfModule.Open(_libc.Path);

    /// <summary>The run-time address of a function of the target's libc, or 0.</summary>
    private ulong LibcFunction(string name)
    {
        ElfSymbol? s = LibcModule.FindSymbol(name);
        return s is { IsFunction: true, IsIndirect: false } ? _libc.Bias + s.Value.Address : 0;
    }

    /// <summary>Null when the stopped thread may call into libc (see the class summary), else why not.</summary>
    private string? Unsafe(RemoteThread t)
    {
        ReadOnlySpan<ulong> r = t.Registers;
        ulong rip = r[RemoteThread.RegRip];
        if (rip >= _loader.TextStart && rip < _loader.TextEnd)
            return "in the dynamic loader";
        long orig = (long)r[RemoteThread.RegOrigRax], rax = (long)r[RemoteThread.RegRax];
        bool inSyscall = orig >= 0 && (rax >= ErestartMin && rax <= ErestartMax || rax == -4);
        if (inSyscall && orig == SysFutex)
        {
            ulong word = r[RemoteThread.RegRdi];
            foreach (var (start, end) in _lockData)
                if (word >= start && word < end) return "waiting for a lock of libc or the loader";
            if ((word & (ArenaHeapSize - 1)) < 4096) return "waiting for a malloc arena's lock";
        }
        if (rip >= _libc.TextStart && rip < _libc.TextEnd)
        {
            ElfSymbol? s = LibcModule.SymbolAt(rip - _libc.Bias);
            if (s is not null && IsAllocatorOrLoader(s.Value.Name) && !(inSyscall && orig == SysFutex && s.Value.Name.StartsWith("__lll_lock_wait", StringComparison.Ordinal)))
                return "in " + s.Value.Name;
        }
        return null;
    }

    private static bool IsAllocatorOrLoader(string name)
    {
        if (AllocatorNames.Contains(name)) return true;
        foreach (string p in AllocatorPrefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The threads of the target, the main thread first.</summary>
    private List<int> Threads()
    {
        var tids = new List<int> { _pid };
        try
        {
            foreach (string d in Directory.GetDirectories("/proc/" + _pid.ToString(CultureInfo.InvariantCulture) + "/task"))
                if (int.TryParse(Path.GetFileName(d), out int tid) && tid != _pid) tids.Add(tid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return tids;
    }

    /// <summary>A thread of the target stopped at a safe point, or null and a reason.</summary>
    private RemoteThread? StopSafeThread(out string problem)
    {
        problem = "no thread of process " + _pid + " could be stopped";
        string lastReason = "";
        foreach (int tid in Threads())
        {
            RemoteThread? t = RemoteThread.Stop(tid, out string why);
            if (t is null)
            {
                problem = why;
                if (why.StartsWith("permission denied", StringComparison.Ordinal)) return null;
                continue;
            }
            long deadline = Environment.TickCount64 + SafeBudgetMs;
            while (true)
            {
                string? reason = Unsafe(t);
                if (reason is null) return t;
                lastReason = reason;
                if (Environment.TickCount64 > deadline) break;
                string failure = t.RunFor(StepMicroseconds);
                if (failure.Length > 0) { problem = failure; break; }
            }
            t.Dispose();
            problem = "no thread of process " + _pid + " reached a safe point within " + SafeBudgetMs / 1000 +
                      " s (the last one was " + lastReason + "); try again";
        }
        return null;
    }

    /// <summary>Where the call stub goes (<see cref="RemoteThread.CallRestoringItself"/>): its code in the unused tail
    /// of the last page of libc's code segment, past the segment's end (else ld.so's); its block of arguments and
    /// results in the unused tail of the last page of libc's data segment (past its .bss: zero-filled, and no
    /// symbol reaches it; ld.so's is not free: its early allocator takes the rest of that page). Those bytes belong
    /// to no section: nothing of the program runs, reads or writes them. The writes are private to this process
    /// (copy-on-write pages) and stay after we leave, as harmless as before. (0, 0) when there is no room.</summary>
    private (ulong Code, ulong Block) StubSite()
    {
        ulong code = 0;
        foreach (Mapping m in new[] { _libc, _loader })
        {
            ulong end = SegmentEnd(m, executable: true);
            if (end == 0) continue;
            ulong site = (end + 15) & ~15ul;
            if (site >= m.TextStart && site + RemoteThread.StubCodeBytes <= m.TextEnd) { code = site; break; }
        }
        ulong dataEnd = SegmentEnd(_libc, executable: false);
        ulong block = (dataEnd + 15) & ~15ul;
        if (code == 0 || dataEnd == 0 || ((block + RemoteThread.StubBlockBytes - 1) & ~4095ul) != (dataEnd & ~4095ul))
            return (0, 0);
        return (code, block);
    }

    /// <summary>The run-time end of <paramref name="m"/>'s executable PT_LOAD that lies in its code mapping, or of its
    /// last writable PT_LOAD, from the file's program headers; 0 if unreadable.</summary>
    private static ulong SegmentEnd(Mapping m, bool executable)
    {
        ulong found = 0;
        try
        {
            using var file = File.OpenHandle(m.Path, FileMode.Open, FileAccess.Read);
            byte[] header = new byte[64];
            if (RandomAccess.Read(file, header, 0) != 64 || header[0] != 0x7f || header[4] != 2) return 0; // ELFCLASS64
            long phoff = BitConverter.ToInt64(header, 32);
            int phentsize = BitConverter.ToUInt16(header, 54), phnum = BitConverter.ToUInt16(header, 56);
            byte[] ph = new byte[phentsize * phnum];
            if (phentsize < 56 || RandomAccess.Read(file, ph, phoff) != ph.Length) return 0;
            for (int i = 0; i < phnum; i++)
            {
                int o = i * phentsize;
                const uint PtLoad = 1, PfX = 1, PfW = 2;
                uint flags = BitConverter.ToUInt32(ph, o + 4);
                if (BitConverter.ToUInt32(ph, o) != PtLoad) continue;
                ulong end = m.Bias + BitConverter.ToUInt64(ph, o + 16) + BitConverter.ToUInt64(ph, o + 40); // p_vaddr + p_memsz
                if (executable && (flags & PfX) != 0 && end > m.TextStart && end <= m.TextEnd) return end;
                if (!executable && (flags & PfW) != 0 && end > found) found = end;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return found;
    }

    /// <summary>Makes the target dlopen <paramref name="library"/> (RTLD_NOW | RTLD_GLOBAL: appended to the global
    /// scope, after libc, so no existing or later binding of the program changes) from a safe thread, its errno and
    /// registers restored after. Null, or why it could not.</summary>
    public string? LoadLibrary(string library)
    {
        ulong dlopen, errnoLocation, dlerror;
        try
        {
            dlopen = LibcFunction("dlopen");
            ulong legacy = dlopen == 0 ? LibcFunction("__libc_dlopen_mode") : 0; // glibc before 2.34
            if (dlopen == 0 && legacy == 0)
                return "the C library of process " + _pid + " (" + _libc.Path + ") has neither dlopen nor __libc_dlopen_mode";
            errnoLocation = LibcFunction("__errno_location");
            dlerror = LibcFunction("dlerror");
            if (dlopen == 0) dlopen = legacy;
        }
        catch (DwarfException e)
        {
            return "cannot read " + _libc.Path + ": " + e.Message;
        }
        bool isLegacy = LibcModule.FindSymbol("dlopen") is null;
        var (site, block) = StubSite();
        if (site == 0) return NoStubSite();
        RemoteThread? t = StopSafeThread(out string problem);
        if (t is null) return problem;
        using (t)
        {
            byte[] path = Encoding.UTF8.GetBytes(library + "\0");
            ulong address = t.Push(path);
            ulong mode = (ulong)(RtldNow | RtldGlobal) | (isLegacy ? 0x80000000ul /* __RTLD_DLOPEN */ : 0);
            string? failure = t.CallRestoringItself(site, block, dlopen, "dlopen", address, mode, errnoLocation, dlerror,
                                                    out ulong handle, out ulong message);
            if (failure is not null) return failure;
            if (handle != 0) return null;
            string detail = message != 0 ? ": " + RemoteThread.ReadString(_pid, message) : "";
            return "process " + _pid + " could not load " + library + detail;
        }
    }

    private string NoStubSite() =>
        "no room for the call stub in process " + _pid + " (the last code pages of " + _libc.Path + " and " + _loader.Path +
        ", or the last data page of the former, are full)";

    /// <summary>Calls <paramref name="function"/> (no arguments, an int result) from a safe thread.</summary>
    public string? CallInt(ulong function, string functionName, out long result)
    {
        result = 0;
        ulong errnoLocation;
        try { errnoLocation = LibcFunction("__errno_location"); }
        catch (DwarfException e) { return "cannot read " + _libc.Path + ": " + e.Message; }
        var (site, block) = StubSite();
        if (site == 0) return NoStubSite();
        RemoteThread? t = StopSafeThread(out string problem);
        if (t is null) return problem;
        using (t)
        {
            string? failure = t.CallRestoringItself(site, block, function, functionName, 0, 0, errnoLocation, 0, out ulong rax, out _);
            result = (int)(uint)rax;
            return failure;
        }
    }
}
